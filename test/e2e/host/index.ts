import { channel } from 'node:diagnostics_channel';
import { readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import Mocha from 'mocha';

/**
 * The entry VS Code calls inside the extension host (`extensionTestsPath`). It runs the bundled
 * mocha suites of one phase (E2E_PHASE: "first" runs *.test.js, "second" runs *.second.js after a
 * fresh start on the same user data, "restricted" runs *.restricted.js in an untrusted folder), prints a machine-readable result line for the runner, and
 * fails when anything in this extension host connected to an address other than 127.0.0.1.
 */
export async function run(): Promise<void> {
  const outside = guardNetwork();
  const phase = process.env.E2E_PHASE ?? 'first';
  const suffix = phase === 'first' ? '.test.js' : `.${phase}.js`;
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  const grep = process.env.E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith(suffix)).sort()) mocha.addFile(join(__dirname, f));

  const failures: string[] = [];
  const passed: string[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (test) => passed.push(test.fullTitle()));
    runner.on('fail', (test, err: Error) => failures.push(`${test.fullTitle()}\n${err.message}`));
  });
  for (const address of outside) failures.push(`network: the extension host connected to ${address}, which is not 127.0.0.1`);
  console.log(`E2E_HOST_RESULT ${JSON.stringify({ phase, passed, failures })}`);
  if (failures.length > 0) throw new Error(`${failures.length} extension-host test(s) failed`);
}

/** Records every TCP connection this process makes to anything but loopback (undici and http alike). */
function guardNetwork(): string[] {
  const outside: string[] = [];
  channel('net.client.socket').subscribe((message) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once('connect', () => {
      const address = socket.remoteAddress;
      if (address && address !== '127.0.0.1' && address !== '::1' && address !== '::ffff:127.0.0.1') outside.push(`${address}:${socket.remotePort}`);
    });
  });
  return outside;
}
