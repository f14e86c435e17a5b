import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RouteHandler } from '../server.js';
import { sendErrorCode } from '../respond.js';

/** The Swagger UI files served under `/docs/`, from the installed swagger-ui-dist package. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Junction API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;
const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });\n`;

/**
 * Exact routes for `GET /openapi.json` (the document, serialised once) and Swagger UI at
 * `/docs` (a small page of our own, no inline script, over swagger-ui-dist's static files read
 * from the package's own folder). Only the listed files are served: no path from the client ever
 * reaches the file system.
 */
export function apiDocsRoutes(document: Record<string, unknown>): [string, RouteHandler][] {
  const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const json = Buffer.from(JSON.stringify(document));
  const index = Buffer.from(INDEX_HTML);
  const routes: [string, RouteHandler][] = [
    ['/openapi.json', fixed(json, 'application/json; charset=utf-8')],
    ['/docs', redirectToIndex],
    ['/docs/', fixed(index, 'text/html; charset=utf-8')],
    ['/docs/index.html', fixed(index, 'text/html; charset=utf-8')],
    ['/docs/init.js', fixed(Buffer.from(INIT_JS), 'text/javascript; charset=utf-8')],
  ];
  for (const [file, type] of Object.entries(ASSETS)) routes.push([`/docs/${file}`, staticFile(join(folder, file), type)]);
  return routes;
}

function onlyGet(req: IncomingMessage, res: ServerResponse, requestId: string): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.setHeader('allow', 'GET, HEAD');
  sendErrorCode(res, requestId, 'METHOD_NOT_ALLOWED', 'Only GET is allowed here');
  return false;
}

function fixed(body: Buffer, type: string): RouteHandler {
  return function serveFixed(req, res, requestId) {
    if (!onlyGet(req, res, requestId)) return;
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function redirectToIndex(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  if (!onlyGet(req, res, requestId)) return;
  res.writeHead(302, { location: '/docs/', 'content-length': 0 });
  res.end();
}

function staticFile(path: string, type: string): RouteHandler {
  return function serveStatic(req, res, requestId) {
    if (!onlyGet(req, res, requestId)) return;
    const stream = createReadStream(path);
    stream.once('open', () => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
      if (req.method === 'HEAD') {
        stream.destroy();
        res.end();
      } else stream.pipe(res);
    });
    stream.once('error', () => sendErrorCode(res, requestId, 'ROUTE_NOT_FOUND', 'No such file'));
  };
}
