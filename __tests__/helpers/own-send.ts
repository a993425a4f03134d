/**
 * Gives an SDK client its own `send`, the SDK's base implementation. Test files mock client
 * classes (`mockClient(EC2Client)` stubs the class's `send` for every instance, and stays for the
 * whole run); a client with its own `send` escapes that: it really sends (to a loopback stub), or
 * it can be mocked on its own without restoring the class-level mock.
 */
export function withOwnSend<T extends object>(client: T): T {
  const base = Object.getPrototypeOf(Object.getPrototypeOf(client)) as { send: unknown };
  Object.defineProperty(client, 'send', { value: base.send, writable: true, configurable: true });
  return client;
}
