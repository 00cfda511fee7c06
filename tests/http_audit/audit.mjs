// Runs the graphql-http server audits against URL (argv[2]) and prints the results as JSON:
// [{ id, name, status: "ok" | "notice" | "warn" | "error", reason?, responseStatus?, responseBody? }]
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.responseStatus = result.response.status;
    try {
      entry.responseBody = (await result.response.text()).slice(0, 500);
    } catch {
      entry.responseBody = null; // the audit already read it
    }
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
