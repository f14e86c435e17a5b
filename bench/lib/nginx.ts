import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, type Started } from './process.js';
import { REST_POST_ANSWER, REST_PRODUCT_JSON } from './mocks.js';

function common(dir: string): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log error;
events { worker_connections 4096; }
`;
}

function temps(dir: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${dir}/${name};`)
    .join('\n');
}

/** Config of nginx as the zero-cost REST upstream (the same answers as the Node REST mock). */
export function mockConfig(dir: string, port: number): string {
  const product = REST_PRODUCT_JSON.toString().replace(/'/g, "\\'");
  const posted = REST_POST_ANSWER.toString().replace(/'/g, "\\'");
  return `${common(dir)}http {
  access_log off;
${temps(dir)}
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type application/json;
  server {
    listen 127.0.0.1:${port};
    location = /products/p1 { return 200 '${product}'; }
    location = /orders { client_body_buffer_size 16k; return 200 '${posted}'; }
    location / { return 404 '{"error":{"code":"NOT_FOUND","message":"no such route"}}'; }
  }
}
`;
}

/** Config of nginx as the passthrough peer: one worker, upstream keepalive, prefix stripped. */
export function proxyConfig(dir: string, port: number, upstream: string, prefix: string): string {
  return `${common(dir)}http {
  access_log off;
${temps(dir)}
  keepalive_requests 1000000;
  upstream backend {
    server ${upstream.replace(/^http:\/\//, '')};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location ${prefix}/ {
      proxy_pass http://backend/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }
}
`;
}

/** Writes the config into `dir` and starts nginx pinned to `core`. */
export function startNginx(binary: string, dir: string, config: string, core: number, url: string): Started {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  return spawnPinned({ command: binary, args: ['-e', join(dir, 'error.log'), '-p', dir, '-c', file], cwd: dir, core, url });
}
