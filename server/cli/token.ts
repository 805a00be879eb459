// `npm run token -- create --org ORG --role ROLE [--unit UNIT]` / `revoke TOKEN_ID` / `list` / `rotate-admin` (server/cli):
// manages access tokens in CORRIDOR_DATA_DIR's tokens.db. A new token is printed alone on the last line.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { TokenStore, tokensFile } from '../auth/tokens.js';
import { ROLES } from '../auth/roles.js';
import { keepAdminToken } from '../auth/admin-token.js';
import { generateToken } from '../auth/tokens.js';
import { AgreementError, EXERCISE_AGREEMENT_FILE, loadAgreement } from '../sharing/agreement.js';

const USAGE = `Usage:
  npm run token -- create --org ORG --role ROLE [--unit UNIT]
  npm run token -- revoke TOKEN_ID
  npm run token -- list
  npm run token -- rotate-admin
Roles: ${ROLES.join(', ')}. ORG is an organisation of the sharing agreement (CORRIDOR_AGREEMENT; the
exercise's by default, none with CORRIDOR_AGREEMENT=none). The tokens are in tokens.db in
CORRIDOR_DATA_DIR (default ./var). rotate-admin replaces the start-up admin token kept in the data
directory (when CORRIDOR_ADMIN_TOKEN is not set): the old one stops working at once.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function run(argv: string[]): void {
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
        let created;
        try {
          created = store.create({ org: values.org, role: values.role, unit: values.unit });
        } catch (err) {
          fail((err as Error).message);
        }
        const r = created.record;
        process.stdout.write(`Created ${r.id} for ${r.org} (${r.role}${r.unit ? `, unit ${r.unit}` : ''}). It is shown once:\n`);
        process.stdout.write(`${created.token}\n`);
        return;
      }
      case 'revoke': {
        if (rest.length !== 1) fail('revoke takes one TOKEN_ID');
        if (!store.revoke(rest[0])) fail(`there is no token with id ${rest[0]}`);
        process.stdout.write(`Revoked ${rest[0]}\n`);
        return;
      }
      case 'rotate-admin': {
        // The kept file first: a server started between the two steps would otherwise bring the old one back.
        const token = generateToken();
        keepAdminToken(dataDir, token);
        store.setAdmin(token);
        process.stdout.write('Rotated the admin token (tk-admin); the old one no longer works. It is shown once:\n');
        process.stdout.write(`${token}\n`);
        return;
      }
      case 'list': {
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
    store.close();
  }
}

run(process.argv.slice(2));
