// A small fake Docker Hub on 127.0.0.1 for the proxy's Hub paths, answering as Hub does
// (reference/formats.md §2–§3): `index.docker.io` serves the v1 search JSON, `auth.docker.io`
// hands out anonymous tokens for `repository:library/<name>:pull`, `registry-1.docker.io`
// challenges with that realm and serves `library/<name>` from a real registry behind it, and
// answers blob GETs with a 307 to a CDN host (`production.cloudflare.docker.com`), as Hub does.
// One server answers for every host (by the Host header); the proxy reaches it through
// `--host-override`.
import http from 'node:http';

export const HUB_HOSTS = ['registry-1.docker.io', 'index.docker.io', 'auth.docker.io', 'production.cloudflare.docker.com'];
const TOKEN = 'fake-hub-token';

/**
 * Starts the fake Hub; `repos` maps a Hub name (`library/busybox`) to `repository:tag` of the real
 * registry at `upstream` (`host:port`): that tag is served as `latest`. Resolves to { port, seen, stop }, where `seen` lists
 * every request as { host, path, authorization }.
 */
export function startFakeHub(upstream, repos, searchResults) {
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const host = (req.headers.host || '').split(':')[0];
    const url = new URL(req.url, `http://${host}`);
    seen.push({ host, path: url.pathname + url.search, authorization: req.headers.authorization });
    const json = (status, body, headers = {}) => { res.writeHead(status, { 'content-type': 'application/json', ...headers }); res.end(JSON.stringify(body)); };
    if (host === 'index.docker.io' && url.pathname === '/v1/search') {
      const q = url.searchParams.get('q');
      const n = Number(url.searchParams.get('n') || 25);
      const results = searchResults.filter((r) => r.name.includes(q)).slice(0, n);
      return json(200, { num_pages: 1, num_results: results.length, page_size: n, query: q, page: 1, results });
    }
    if (host === 'auth.docker.io' && url.pathname === '/token') {
      const scope = url.searchParams.get('scope') || '';
      const name = scope.split(':')[1];
      if (url.searchParams.get('service') !== 'registry.docker.io' || !repos[name]) return json(401, { details: 'incorrect scope' });
      return json(200, { token: TOKEN, access_token: TOKEN, expires_in: 300, issued_at: new Date().toISOString() });
    }
    if (host === 'production.cloudflare.docker.com') {
      const real = url.searchParams.get('real');
      const answer = await fetch(`http://${upstream}${real}`, { headers: req.headers.range ? { range: req.headers.range } : {} });
      res.writeHead(answer.status, { 'content-type': 'application/octet-stream', 'content-length': answer.headers.get('content-length') ?? undefined });
      return res.end(Buffer.from(await answer.arrayBuffer()));
    }
    if (host === 'registry-1.docker.io' && url.pathname.startsWith('/v2/')) {
      const m = url.pathname.match(/^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/);
      const name = m?.[1];
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        const scope = name ? `,scope="repository:${name}:pull"` : '';
        return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          { 'www-authenticate': `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"${scope}` });
      }
      if (url.pathname === '/v2/') return json(200, {});
      if (!m || !repos[name]) return json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
      const [repo, tag] = repos[name].split(':');
      const real = `/v2/${repo}/${m[2]}/${m[3] === 'latest' ? tag : m[3]}`;
      if (m[2] === 'blobs') {
        res.writeHead(307, { location: `https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/x/data?real=${encodeURIComponent(real)}&verify=signed` });
        return res.end();
      }
      const answer = await fetch(`http://${upstream}${real}`, { method: req.method, headers: { accept: req.headers.accept || '' } });
      const headers = {};
      for (const h of ['content-type', 'docker-content-digest', 'content-length']) if (answer.headers.get(h)) headers[h] = answer.headers.get(h);
      res.writeHead(answer.status, headers);
      return res.end(Buffer.from(await answer.arrayBuffer()));
    }
    json(404, { errors: [{ code: 'NOT_FOUND', message: `${host}${url.pathname}` }] });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, seen, stop: () => server.close() })));
}
