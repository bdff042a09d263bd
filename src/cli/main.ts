// The `template-marketplace` executable (bundled to dist/cli.js).
import { main } from './cli';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
