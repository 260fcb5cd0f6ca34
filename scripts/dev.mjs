// @ts-check
/**
 * `npm run dev`: `wrangler dev` with local analytics (the local collector
 * and its LOCAL_COLLECTOR_URL var) and the controller fired every minute, as
 * in production. No demo origins, no seeded rollout, no traffic: your own
 * rollouts in local KV. Arguments after `--` go to wrangler dev.
 * PORT (8787) and COLLECTOR_PORT (8703) move the ports.
 */
import {
  HOST,
  devArgs,
  exited,
  isPortFree,
  portFromEnv,
  startLocalCollector,
  startScheduler,
  waitForWorker,
  wrangler,
} from "./local-stack.mjs";

/**
 * @param {string} name
 * @param {number} fallback
 */
function port(name, fallback) {
  const value = portFromEnv(name, fallback);
  if (value === null) {
    console.error(`npm run dev: ${name}=${process.env[name]} is not a valid port (1-65535)`);
    process.exit(1);
  }
  return value;
}

const workerPort = port("PORT", 8787);
const collectorPort = port("COLLECTOR_PORT", 8703);
if (!(await isPortFree(collectorPort))) {
  console.error(
    `npm run dev: port ${collectorPort} (collector) is already in use; set COLLECTOR_PORT`,
  );
  process.exit(1);
}
const collector = await startLocalCollector(collectorPort);
const dev = wrangler(
  devArgs({
    port: workerPort,
    collectorUrl: collector.url,
    quiet: false,
    extra: process.argv.slice(2),
  }),
  "inherit",
);
let stopping = false;
const workerUrl = `http://${HOST}:${workerPort}`;
/** @type {{ stop: () => void } | undefined} */
let scheduler;
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.on(signal, () => {
    stopping = true;
    dev.kill(signal);
  });
}
if (await waitForWorker(workerUrl, 60_000, () => stopping)) {
  console.log(
    `local analytics: ${collector.url}; the controller runs every minute (npx gray status --local); live report: ${collector.url}/report`,
  );
  scheduler = startScheduler(workerUrl, (message) => console.log(message));
}
const result = await exited(dev);
scheduler?.stop();
await collector.stop();
process.exit(typeof result === "number" ? result : 0);
