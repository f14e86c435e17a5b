// fastify + @fastify/reply-from forwarding PREFIX/* to UPSTREAM with the prefix stripped.
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';

const prefix = process.env.PREFIX ?? '/api/catalog';
const app = Fastify({ logger: false });
await app.register(replyFrom, { base: process.env.UPSTREAM, undici: { connections: 64, pipelining: 1, keepAliveTimeout: 4000 } });
// Bodies pass through untouched.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (request, payload, done) => done(null, payload));
app.all(`${prefix}/*`, (request, reply) => {
  reply.from(request.url.slice(prefix.length));
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('listening');
