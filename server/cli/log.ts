// `npm run log -- to-nats` (server/cli, issue 19): copies the embedded event log of CORRIDOR_DATA_DIR
// into an empty stream on the NATS servers of CORRIDOR_LOG, so an operation run on one server goes on
// with several instances on a shared log. Exit code 0 copied, 2 not copied (the reason on stderr).
import path from 'node:path';
import { databaseFile } from '../log/event-log.js';
import { copyToStream } from '../log/copy-to-stream.js';
import { ConfigError, sharedLogConfig } from '../config.js';

const USAGE = `Usage:
  CORRIDOR_LOG=nats://host:4222[,nats://…] npm run log -- to-nats
Copies every event of the embedded log in CORRIDOR_DATA_DIR (default ./var) into the stream CORRIDOR
on those NATS servers, which must be empty, with CORRIDOR_LOG_REPLICAS copies (3 when three or more
servers are named, else 1). Stop the server first. Then start the instances on the shared log, each
with a data folder of its own (not this one): they read the whole stream.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function run(argv: string[]): Promise<void> {
  if (argv[0] === '--help' || argv[0] === '-h') return void process.stdout.write(`${USAGE}\n`);
  if (argv[0] !== 'to-nats' || argv.length !== 1) fail(argv[0] ? `unknown command ${argv.join(' ')}` : 'a command is required');
  let shared;
  try {
    shared = sharedLogConfig(process.env, 0);
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : String(err));
  }
  if (!shared) fail('CORRIDOR_LOG must name the NATS servers to copy to (nats://host:4222)');
  const file = databaseFile(path.resolve(process.env.CORRIDOR_DATA_DIR || './var'));
  let last = 0;
  try {
    const { events, stream } = await copyToStream({
      file,
      servers: shared.servers,
      replicas: shared.replicas,
      onProgress: (done, total) => {
        if (Date.now() - last < 500 && done < total) return;
        last = Date.now();
        process.stderr.write(`copied ${done} of ${total} events\n`);
      },
    });
    process.stdout.write(`Copied ${events} events of ${path.relative(process.cwd(), file) || file} into the stream ${stream} on ${shared.servers.join(', ')}.\n`);
  } catch (err) {
    fail(`Not copied: ${(err as Error).message}`);
  }
}

await run(process.argv.slice(2));
