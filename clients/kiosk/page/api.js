// The kiosk's API client: trusted documents by id, queries by GET with ETag revalidation, the last
// answer of each query kept in localStorage so the screen keeps its content while the API is away.

const STORE = "gongkai.kiosk.";

export class Offline extends Error {}

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export function load(key) {
  try {
    return JSON.parse(localStorage.getItem(STORE + key));
  } catch {
    return null;
  }
}

export function save(key, value) {
  const text = JSON.stringify(value);
  try {
    localStorage.setItem(STORE + key, text);
  } catch {
    // The store is full: the kept answers (documents read) make room, the rest is kept.
    for (const name of Object.keys(localStorage)) {
      if (name.startsWith(`${STORE}q:`) && !name.startsWith(`${STORE}q:LocalItems:`)) localStorage.removeItem(name);
    }
    try {
      localStorage.setItem(STORE + key, text);
    } catch {
      // Still too large: only the offline copy of this answer is lost.
    }
  }
}

export function forget(key) {
  localStorage.removeItem(STORE + key);
}

function failure(body, status) {
  const error = (body && body.errors && body.errors[0]) || {};
  const code = (error.extensions && error.extensions.code) || `HTTP_${status}`;
  return new ApiError(error.message || `服务返回 ${status}`, code);
}

export class Api {
  constructor(token, ids) {
    this.token = token;
    this.ids = ids;
  }

  static async documentIds() {
    try {
      const response = await fetch("/kiosk/documents.json", { cache: "no-store" });
      if (!response.ok) throw new Offline();
      const ids = await response.json();
      save("documents", ids);
      return ids;
    } catch {
      const kept = load("documents");
      if (kept) return kept;
      throw new Offline();
    }
  }

  headers() {
    return { Accept: "application/json", Authorization: `Bearer ${this.token}` };
  }

  documentId(operationName) {
    const id = this.ids[operationName];
    if (!id) throw new ApiError(`终端不认识操作 ${operationName}`, "UNKNOWN_OPERATION");
    return id;
  }

  // A query by GET. Resolves {data, changed, stale}: changed is false on a 304, stale is true when
  // the API could not be reached and the kept answer is returned. `keep: false` for personal answers.
  async query(operationName, variables = {}, { keep = true } = {}) {
    const key = `q:${operationName}:${JSON.stringify(variables)}`;
    const kept = keep ? load(key) : null;
    const params = new URLSearchParams({
      documentId: this.documentId(operationName),
      operationName,
      variables: JSON.stringify(variables),
    });
    const headers = this.headers();
    if (kept && kept.etag) headers["If-None-Match"] = kept.etag;
    let response;
    try {
      response = await fetch(`/graphql?${params}`, { headers, cache: "no-store" });
    } catch {
      return this.fallback(kept);
    }
    if (response.status === 304 && kept) return { data: kept.data, changed: false, stale: false, at: kept.at };
    if (response.status >= 502) return this.fallback(kept);
    let body = null;
    try {
      body = await response.json();
    } catch {
      throw failure(null, response.status);
    }
    if (!response.ok || (body.errors && body.errors.length) || !body.data) {
      if (response.status === 503) return this.fallback(kept);
      throw failure(body, response.status);
    }
    const at = Date.now();
    if (keep) save(key, { etag: response.headers.get("ETag"), data: body.data, at });
    return { data: body.data, changed: true, stale: false, at };
  }

  fallback(kept) {
    if (kept) return { data: kept.data, changed: false, stale: true, at: kept.at };
    throw new Offline();
  }

  async mutate(operationName, variables) {
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        headers: { ...this.headers(), "Content-Type": "application/json" },
        body: JSON.stringify({ documentId: this.documentId(operationName), operationName, variables }),
        cache: "no-store",
      });
    } catch {
      throw new Offline();
    }
    if (response.status >= 502) throw new Offline();
    const body = await response.json().catch(() => null);
    if (!response.ok || !body || (body.errors && body.errors.length) || !body.data) throw failure(body, response.status);
    return body.data;
  }

  // An attachment: /files/{id} needs the Authorization header, so it is fetched and shown from a blob.
  async download(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Authorization: `Bearer ${this.token}` }, cache: "no-store" });
    } catch {
      throw new Offline();
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw failure(body, response.status);
    }
    return response.blob();
  }
}
