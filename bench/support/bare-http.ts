/**
 * The baseline of bench:emulator: the least an HTTP API can do (node:http, read the body,
 * answer 200 with a small JSON body), in its own process like the emulator.
 * Usage: tsx bench/support/bare-http.ts <port>
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!port) {
  console.error('usage: bare-http.ts <port>');
  process.exit(1);
}
createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"sentMessages":[{"id":"1","quoteToken":"q"}]}');
  });
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
