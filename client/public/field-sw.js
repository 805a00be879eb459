// The field page's service worker (issue 15): `/field` loads with no network once visited. It keeps the
// page (network first, the last copy when offline), the built assets (immutable: cache first), the
// basemap's style, fonts and glyphs (network first), and the basemap archive of the area whole, so that
// the map's range requests are answered from it offline. The picture itself is never cached here: the
// page keeps what it sends in its own queue (IndexedDB) and the server's view comes over the socket.
const SHELL = 'corridor-field-shell-v1';
const BASEMAP = 'corridor-field-basemap-v1';
const PAGE = '/field';
/** A page load waits this long for the network before the cached copy is shown, ms. */
const PAGE_WAIT_MS = 4000;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// The page, once loaded, names what it loaded before this worker controlled it: kept for next time.
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'keep' || !Array.isArray(data.urls)) return;
  event.waitUntil(keep(data.urls.filter((u) => typeof u === 'string')));
});

async function keep(urls) {
  const [shell, basemap] = await Promise.all([caches.open(SHELL), caches.open(BASEMAP)]);
  await Promise.all(
    urls.map(async (href) => {
      const url = new URL(href, self.location.origin);
      if (url.origin !== self.location.origin) return;
      const path = url.pathname.replace(/\/+$/, '') || '/';
      try {
        if (path === PAGE) {
          const res = await fetch(PAGE, { credentials: 'same-origin' });
          if (res.ok && res.type === 'basic' && !res.redirected) await shell.put(PAGE, res);
        } else if (path.startsWith('/assets/')) {
          if (!(await shell.match(path))) {
            const res = await fetch(path);
            if (res.ok && res.status === 200) await shell.put(path, res);
          }
        } else if (path.startsWith('/basemap/')) {
          const key = path.endsWith('.pmtiles') ? path : path + url.search;
          if (!(await basemap.match(key))) {
            const res = await fetch(key, { credentials: 'same-origin' });
            if (res.ok && res.status === 200) await basemap.put(key, res);
          }
        }
      } catch {
        // Offline now: kept the next time the page is loaded with a network.
      }
    }),
  );
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (req.mode === 'navigate') {
    if (path === PAGE) event.respondWith(page(req));
    return;
  }
  if (path.startsWith('/assets/')) event.respondWith(cacheFirst(req, SHELL));
  else if (path.startsWith('/basemap/') && path.endsWith('.pmtiles')) event.respondWith(archive(req, event));
  else if (path.startsWith('/basemap/')) event.respondWith(networkFirst(req, BASEMAP, path + url.search));
});

async function page(req) {
  const cache = await caches.open(SHELL);
  try {
    const res = await withTimeout(fetch(req), PAGE_WAIT_MS);
    if (res.ok && res.type === 'basic') await cache.put(PAGE, res.clone());
    return res;
  } catch {
    const cached = await cache.match(PAGE);
    return cached ?? new Response('offline, and this page was never loaded here', { status: 503, headers: { 'content-type': 'text/plain' } });
  }
}

async function cacheFirst(req, name) {
  const cache = await caches.open(name);
  const cached = await cache.match(req);
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok && res.status === 200) await cache.put(req, res.clone());
  return res;
}

async function networkFirst(req, name, key) {
  const cache = await caches.open(name);
  try {
    const res = await withTimeout(fetch(req), PAGE_WAIT_MS);
    if (res.ok && res.status === 200) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}

/** The archive's bytes by path, read from the cache once per worker. */
const archives = new Map();

/**
 * A range of the basemap archive: from the whole archive when it is cached; otherwise from the
 * network, and the whole archive is fetched into the cache beside it for the next time.
 */
async function archive(req, event) {
  const path = new URL(req.url).pathname;
  const cache = await caches.open(BASEMAP);
  let whole = archives.get(path);
  if (!whole) {
    const cached = await cache.match(path);
    if (cached) {
      whole = { bytes: await cached.arrayBuffer(), etag: cached.headers.get('etag') };
      archives.set(path, whole);
    }
  }
  if (whole) return slice(whole, req.headers.get('range'));
  event.waitUntil(
    fetch(path, { credentials: 'same-origin' })
      .then((res) => (res.ok && res.status === 200 ? cache.put(path, res) : undefined))
      .catch(() => undefined),
  );
  return fetch(req);
}

function slice(whole, range) {
  const total = whole.bytes.byteLength;
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
  const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
  if (whole.etag) headers.etag = whole.etag;
  if (!m) return new Response(whole.bytes, { status: 200, headers: { ...headers, 'content-length': String(total) } });
  const start = Number(m[1]);
  const end = Math.min(total - 1, m[2] === '' ? total - 1 : Number(m[2]));
  if (start >= total || end < start) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${total}` } });
  return new Response(whole.bytes.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': String(end - start + 1) },
  });
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
