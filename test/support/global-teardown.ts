export default async function globalTeardown(): Promise<void> {
  globalThis.__SG_POSTGRES__?.stop();
}
