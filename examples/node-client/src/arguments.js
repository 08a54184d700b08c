// The command line, checked at the door: a clear message and exit code 2 on a bad value.

import { parseArgs } from "node:util";

const USAGE =
  "usage: node src/main.js --target HOST:PORT [--agreement-id ID] [--token TOKEN]\n" +
  "  --target        the ledger's address; default $SLA_LEDGER_TARGET, else 127.0.0.1:50051\n" +
  "  --agreement-id  the agreement the example signs: 1 to 128 of A-Z a-z 0-9 . _ - ~\n" +
  "                  (default node-example)\n" +
  "  --token         a bearer token when the server checks tokens; default $SLA_LEDGER_TOKEN";

const IDENTIFIER = /^[A-Za-z0-9._~-]{1,128}$/;
const HOST_PORT = /^(?<host>\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(?<port>[0-9]{1,5})$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]{1,4096}$/;

/** An error about the command line: main prints its message with the usage and exits 2. */
export class UsageError extends Error {}

/** The options of the command line (argv without node and the script) and the environment. */
export function parseArguments(argv, environment) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: "string" },
        "agreement-id": { type: "string" },
        token: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${error.message}\n${USAGE}`);
  }
  if (values.help) {
    return { help: USAGE };
  }
  const target = values.target ?? environment.SLA_LEDGER_TARGET ?? "127.0.0.1:50051";
  const address = HOST_PORT.exec(target);
  const port = address ? Number(address.groups.port) : 0;
  if (!address || port < 1 || port > 65535) {
    throw new UsageError(
      `--target must be HOST:PORT with a port from 1 to 65535, not ${JSON.stringify(target)}\n${USAGE}`,
    );
  }
  const agreementId = values["agreement-id"] ?? "node-example";
  if (!IDENTIFIER.test(agreementId)) {
    throw new UsageError(
      `--agreement-id must be 1 to 128 of A-Z a-z 0-9 . _ - ~, not ${JSON.stringify(agreementId)}\n${USAGE}`,
    );
  }
  const token = values.token ?? environment.SLA_LEDGER_TOKEN ?? "";
  if (token !== "" && !PRINTABLE_ASCII.test(token)) {
    throw new UsageError(`--token must be 1 to 4096 printable ASCII characters\n${USAGE}`);
  }
  return { target, agreementId, token };
}
