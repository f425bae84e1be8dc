/**
 * Jest runs each test file in its own vm context, whose `Symbol` lacks the `Symbol.dispose` and `Symbol.asyncDispose`
 * that Node adds to its main realm. playwright-core uses them (`using` in its element-position code), so without them
 * it cannot place an element inside an iframe: clicks and bounding boxes in a framed page retry until they time out.
 * Node's own values are registered symbols, so defining the same ones here matches what Node code outside the
 * context uses. Import this before playwright-core.
 */
const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
if (symbols.dispose === undefined) {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') });
}
if (symbols.asyncDispose === undefined) {
  Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') });
}

export {};
