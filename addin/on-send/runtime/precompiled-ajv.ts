/**
 * Stands in for Ajv in the on-send build (webpack alias). Ajv compiles schemas into code with `new Function`, which
 * the add-in pages' CSP forbids (no 'unsafe-eval') and which would also put the whole compiler (a third of the
 * script) into the 5-second budget. The build compiles the policy schema ahead of time with the core's own options
 * (`POLICY_AJV_OPTIONS`), so `parsePolicy` validates exactly as it does in Node.
 */
import validatePolicy, { schemaId } from 'virtual:policy-validator';

export default class PrecompiledAjv {
  constructor(_options?: unknown) {}

  compile(schema: { readonly $id?: string }): typeof validatePolicy {
    if (schema.$id !== schemaId) {
      throw new Error(`Only the policy schema is precompiled for the on-send script, not ${String(schema.$id)}`);
    }
    return validatePolicy;
  }
}
