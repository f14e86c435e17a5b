// The Node ceiling for a passthrough: node:http server, one undici Pool to the upstream, bodies streamed.
//   PORT=… UPSTREAM=http://127.0.0.1:… PREFIX=/api/catalog node node-proxy.mjs
import { createServer } from 'node:http';
import { Pool } from 'undici';

const prefix = process.env.PREFIX ?? '/api/catalog';
const pool = new Pool(process.env.UPSTREAM, { connections: 64, keepAliveTimeout: 4000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function forwardHeaders(raw) {
  const out = {};
  for (const [name, value] of Object.entries(raw)) if (!HOP.has(name)) out[name] = value;
  return out;
}

createServer((req, res) => {
  if (!req.url.startsWith(prefix + '/')) {
    res.writeHead(404).end();
    return;
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.request(
    { method: req.method, path: req.url.slice(prefix.length), headers: forwardHeaders(req.headers), body: hasBody ? req : null },
    (err, data) => {
      if (err) {
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"BAD_GATEWAY"}}');
        return;
      }
      res.writeHead(data.statusCode, forwardHeaders(data.headers));
      data.body.pipe(res);
    },
  );
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
