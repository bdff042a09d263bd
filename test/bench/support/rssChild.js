// Run by rss.bench.ts in a fresh process: opens a client from the engine bundle, loads the catalog,
// downloads every package (so all are cached), lets go of the batch result, and prints
// process.memoryUsage() after a full GC as one JSON line. Plain JS: no loader in the measured process.
'use strict';
const [engine, url, publicKey, cacheDir, mode] = process.argv.slice(2);
async function main() {
  const usage = () => {
    global.gc();
    global.gc();
    return process.memoryUsage();
  };
  if (mode === 'baseline') {
    require(engine);
    process.stdout.write(JSON.stringify({ usage: usage() }));
    return;
  }
  const { MarketplaceClient } = require(engine);
  const client = await MarketplaceClient.open({ sources: [{ id: 'bench', url, publicKey }], cacheDir });
  const templates = await client.list();
  const batch = await client.downloadBatch(templates.map((t) => t.ref));
  const failed = batch.totals.failed;
  const bytes = batch.totals.bytes;
  const memory = client.memoryStats();
  const after = usage();
  process.stdout.write(JSON.stringify({ usage: after, templates: templates.length, failed, bytes, memory }));
  await client.close();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
