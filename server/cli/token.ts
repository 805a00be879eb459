// `npm run token -- create --org ORG --role ROLE [--unit UNIT]` / `revoke TOKEN_ID` / `list` / `rotate-admin` (server/cli):
// manages access tokens in CORRIDOR_DATA_DIR's tokens.db, and in the cluster's shared token bucket when
// CORRIDOR_LOG names NATS servers (issue 19). A new token is printed alone on the last line.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { shareTokens, type SharedTokens } from '../auth/token-sync.js';
import { TokenStore, tokensFile } from '../auth/tokens.js';
import { ROLES } from '../auth/roles.js';
import { keepAdminToken } from '../auth/admin-token.js';
import { generateToken } from '../auth/tokens.js';
import { AgreementError, EXERCISE_AGREEMENT_FILE, loadAgreement } from '../sharing/agreement.js';
import { ConfigError, sharedLogConfig } from '../config.js';

const USAGE = `Usage:
  npm run token -- create --org ORG --role ROLE [--unit UNIT]
  npm run token -- revoke TOKEN_ID
  npm run token -- list
  npm run token -- rotate-admin
Roles: ${ROLES.join(', ')}. ORG is an organisation of the sharing agreement (CORRIDOR_AGREEMENT; the
exercise's by default, none with CORRIDOR_AGREEMENT=none). The tokens are in tokens.db in
CORRIDOR_DATA_DIR (default ./var). rotate-admin replaces the start-up admin token kept in the data
directory (when CORRIDOR_ADMIN_TOKEN is not set): the old one stops working at once.
With CORRIDOR_LOG=nats://host:port[,nats://…] the commands also read and write the tokens every
instance shares through NATS, so a cluster's tokens can be managed from any machine.`;

/** Wait for the shared bucket to take a change before saying it is done, ms. */
const SHARE_WAIT_MS = 15_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** An error that is not about the command line: the message alone, exit code 2. */
function stop(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The NATS servers of CORRIDOR_LOG, or undefined when the log (and so the tokens) are not shared. */
function natsServers(): { servers: string[]; replicas: number } | undefined {
  try {
    return sharedLogConfig(process.env, 0);
  } catch (err) {
    stop(err instanceof ConfigError ? err.message : String(err));
  }
}

/** The shared tokens, taken into `store` first; undefined when CORRIDOR_LOG does not name NATS. */
async function openShared(store: TokenStore): Promise<{ nc: NatsConnection; shared: SharedTokens; url: string } | undefined> {
  const nats = natsServers();
  if (!nats) return undefined;
  const url = nats.servers.join(',');
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: nats.servers, name: 'corridor token CLI', timeout: 5000, maxReconnectAttempts: 3 });
  } catch (err) {
    stop(`cannot reach the NATS server at ${url} (CORRIDOR_LOG): ${(err as Error).message}`);
  }
  // Warnings (a bad record in the bucket) on stderr; stdout keeps the command's own output.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  try {
    return { nc, shared: await shareTokens({ nc, tokens: store, logger, replicas: nats.replicas, seed: false }), url };
  } catch (err) {
    stop(`cannot read the shared tokens at ${url} (CORRIDOR_LOG): ${(err as Error).message}`);
  }
}

/** Waits until the change is in the shared bucket; exit code 2 naming the servers when it is not. */
async function shareOrStop(remote: Awaited<ReturnType<typeof openShared>>, what: string): Promise<void> {
  if (!remote) return;
  try {
    await remote.shared.flush(SHARE_WAIT_MS);
  } catch (err) {
    stop(`${what} in this data folder, but not in the shared tokens at ${remote.url} (CORRIDOR_LOG): ${(err as Error).message}`);
  }
}

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { org: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [command, ...rest] = positionals;
  const dataDir = path.resolve(process.env.CORRIDOR_DATA_DIR || './var');
  const store = new TokenStore(tokensFile(dataDir));
  let remote: Awaited<ReturnType<typeof openShared>>;
  try {
    switch (command) {
      case 'create': {
        if (!values.org) fail('--org is required');
        if (!values.role) fail('--role is required');
        // The organisation must be one of the sharing agreement's (issue 13), when one is in force.
        const agreementFile = process.env.CORRIDOR_AGREEMENT === 'none' ? undefined : process.env.CORRIDOR_AGREEMENT ? path.resolve(process.env.CORRIDOR_AGREEMENT) : EXERCISE_AGREEMENT_FILE;
        if (agreementFile) {
          let agreement;
          try {
            agreement = loadAgreement(agreementFile);
          } catch (err) {
            fail(err instanceof AgreementError ? `CORRIDOR_AGREEMENT: ${err.message}` : (err as Error).message);
          }
          const known = agreement.organisations.map((o) => o.id);
          if (!known.includes(values.org)) fail(`--org "${values.org}" is not an organisation of the sharing agreement ${path.basename(agreementFile)} (${known.join(', ')})`);
        }
        remote = await openShared(store);
        let created;
        try {
          created = store.create({ org: values.org, role: values.role, unit: values.unit });
        } catch (err) {
          fail((err as Error).message);
        }
        // Shown only once the cluster has it: a token printed but not shared would work on this machine alone.
        await shareOrStop(remote, `${created.record.id} was created`);
        const r = created.record;
        process.stdout.write(`Created ${r.id} for ${r.org} (${r.role}${r.unit ? `, unit ${r.unit}` : ''}). It is shown once:\n`);
        process.stdout.write(`${created.token}\n`);
        return;
      }
      case 'revoke': {
        if (rest.length !== 1) fail('revoke takes one TOKEN_ID');
        remote = await openShared(store);
        if (!store.revoke(rest[0])) fail(`there is no token with id ${rest[0]}`);
        await shareOrStop(remote, `${rest[0]} was revoked`);
        process.stdout.write(`Revoked ${rest[0]}\n`);
        return;
      }
      case 'rotate-admin': {
        // The kept file first: a server started between the two steps would otherwise bring the old one back.
        remote = await openShared(store);
        const token = generateToken();
        keepAdminToken(dataDir, token);
        store.setAdmin(token);
        await shareOrStop(remote, 'The admin token was rotated');
        process.stdout.write('Rotated the admin token (tk-admin); the old one no longer works. It is shown once:\n');
        process.stdout.write(`${token}\n`);
        return;
      }
      case 'list': {
        remote = await openShared(store);
        for (const r of store.list()) {
          process.stdout.write(
            `${r.id}\t${r.org}\t${r.role}\t${r.unit ?? '-'}\t${new Date(r.createdMs).toISOString()}\t${r.revoked ? 'revoked' : 'active'}\n`,
          );
        }
        return;
      }
      default:
        fail(command ? `unknown command ${command}` : 'a command is required');
    }
  } finally {
    await remote?.shared.close();
    await remote?.nc.close();
    store.close();
  }
}

await run(process.argv.slice(2));
