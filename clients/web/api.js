// api.js - the console's only door to shucud: how the browser is logged
// in (a session cookie after a password login, or a stored API key for
// programs and old habits), one fetch wrapper that sends the key or the
// session's CSRF token, and the translation of every failure into a
// Chinese message.
//
// Every request says Accept-Language: zh-CN, so the server writes its
// error messages in Chinese naming the field by its Chinese name
// (docs/api.md, "Errors in Chinese"); a message that still has an English
// sentence in it (an older server) is not shown, only the Chinese lead of
// its code and field.
//
// A request either resolves with the parsed JSON body (null for an empty
// one) or rejects with an ApiError whose .message is ready to show.  A 404
// whose message begins "no such path" means the route itself does not exist
// yet on this server (routes land over time); .missingRoute says so, so a
// page can show an empty state instead of an error.

const KEY_STORE = 'shucu.apiKey';

export function getKey() {
  try { return localStorage.getItem(KEY_STORE) || ''; } catch { return ''; }
}

export function setKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORE, key);
    else localStorage.removeItem(KEY_STORE);
  } catch { /* private mode: the key lives for this page only */ }
}

// A password login leaves an HttpOnly cookie the page cannot see; this flag
// (no secret) says there may be one, so the console asks GET /v1/me at start.
const SESSION_STORE = 'shucu.session';
export function hasSession() {
  try { return localStorage.getItem(SESSION_STORE) === '1'; } catch { return false; }
}
export function setSession(on) {
  try {
    if (on) localStorage.setItem(SESSION_STORE, '1');
    else localStorage.removeItem(SESSION_STORE);
  } catch { /* private mode */ }
}

// The session's CSRF token (GET /v1/me), sent on every write.
let csrfToken = '';
export function setCsrf(token) { csrfToken = token || ''; }

// Latin words in a row: an English sentence the console must not show.
export const LATIN_SENTENCE = /[A-Za-z]{2,}[,.;:]?(\s+[A-Za-z]{2,}[,.;:]?){2,}/;
function chinese(text) {
  return !!text && /[\u4e00-\u9fff]/.test(text) && !LATIN_SENTENCE.test(text);
}

const CODE_TEXT = {
  bad_json: '请求内容格式有误',
  bad_query: '查询条件无法识别',
  bad_param: '参数有误',
  unauthorized: '未登录或 API 密钥无效',
  forbidden: '当前账号无权执行此操作',
  not_found: '记录不存在或无权查看',
  method_not_allowed: '不支持此操作',
  conflict: '当前状态不允许此操作',
  too_large: '提交的内容过大',
  unsupported_media_type: '提交的内容类型不受支持',
  invalid_field: '填写有误',
  rate_limited: '请求过于频繁，请稍后再试',
  unavailable: '服务暂时不可用，请稍后再试',
};

// Chinese names of the fields the API may name in error.field.
export const FIELD_TEXT = {
  title: '标题', summary: '简介', description: '描述', kind: '类型',
  industry: '行业', industries: '行业', scenarios: '场景', scenario: '场景',
  region: '地区', regions: '服务地区', tags: '标签', price: '价格',
  'price.min': '最低价格', 'price.max': '最高价格', 'price.unit': '计价单位',
  deploy_days: '上线周期', delivery: '交付方式', levels: '水平',
  'levels.from': '适用起始水平', 'levels.to': '可达水平', cases: '案例',
  license: '许可', external_id: '外部编号', attrs: '扩展属性',
  budget: '预算', 'budget.max': '预算上限', enterprise_size: '企业规模',
  current_level: '当前水平', target_level: '目标水平', deadline: '截止日期',
  contact: '联系人', 'contact.name': '联系人姓名', 'contact.phone': '联系电话',
  'contact.email': '电子邮箱', resource_id: '资源', message: '留言', quote: '报价',
  tiers: '阶梯价格', min_participants: '成团最少企业数', max_participants: '最多企业数',
  login: '手机号或邮箱', password: '密码', current_password: '当前密码', name: '名称',
  phone: '手机号', email: '电子邮箱', role: '角色', website: '网站', url: '接收地址',
  'contact.address': '联系地址', 'contact.title': '职务', kinds: '事件类型', format: '消息格式',
  to: '目标状态', reason: '原因', status: '状态', level_before: '改造前水平',
  level_after: '改造后水平', need_id: '需求', q: '关键词', sort: '排序',
  max_price: '最高价格', limit: '每页条数', cursor: '分页游标', rating: '评分',
};

export function fieldText(field) {
  if (!field) return '';
  if (FIELD_TEXT[field]) return FIELD_TEXT[field];
  const base = field.replace(/\[\d+\]/g, '');
  const idx = field.match(/\[(\d+)\]/);
  const name = FIELD_TEXT[base] || FIELD_TEXT[base.split('.')[0]] || field;
  return idx ? `${name}（第 ${Number(idx[1]) + 1} 项）` : name;
}

// The Chinese lead of an API error object ({code, field, message}): what
// went wrong and in which field, e.g. "填写有误：行业（第 1 项）".
export function errorLead(err, status) {
  let text = CODE_TEXT[err.code] || (status ? `请求失败（HTTP ${status}）` : '请求失败');
  if (err.field) text += `：${fieldText(err.field)}`;
  return text;
}

// The server's Chinese sentence, after the lead of its code: it names the
// field already ("填写有误：统一社会信用代码校验位不正确").  A sentence with no
// more to say than the lead (the server's generic "填写有误：uscc", from an
// older server or a message with no template) is not led twice, and a field
// it could only name by its path gets the console's name for it.
function serverText(err) {
  const lead = CODE_TEXT[err.code] || '请求失败';
  let msg = err.message;
  if (err.field && msg.endsWith(`：${err.field}`)) msg = msg.slice(0, -err.field.length) + fieldText(err.field);
  return msg.startsWith(`${lead}：`) || msg === lead ? msg : `${lead}：${msg}`;
}

export class ApiError extends Error {
  constructor(status, body, network = false) {
    const err = (body && body.error) || {};
    let text;
    if (network) text = '无法连接服务器，请检查网络或服务是否已启动';
    else if (chinese(err.message)) text = serverText(err);
    else {
      text = errorLead(err, status);
    }
    super(text);
    this.status = status;
    this.code = err.code || (network ? 'network' : 'http_' + status);
    this.field = err.field || null;
    this.serverMessage = err.message || '';
    this.network = network;
    this.missingRoute = status === 404 && /^no such path/.test(err.message || '');
    this.retryAfter = null;
  }
}

// request(method, path, {body, query, headers, raw, contentType, key})
export async function request(method, path, opts = {}) {
  let url = path;
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) { if (v.length) qs.set(k, v.join(',')); }
      else qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json', 'Accept-Language': 'zh-CN', ...(opts.headers || {}) };
  const key = opts.key !== undefined ? opts.key : getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  else if (csrfToken && method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = opts.contentType || 'application/json';
  }
  let resp;
  try {
    resp = await fetch(url, { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, null, true);
  }
  const text = await resp.text().catch(() => '');
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    const ra = resp.headers.get('Retry-After');
    if (ra) {
      err.retryAfter = Number(ra);
      // the server's sentence may say how long already (登录锁定 N 分钟)
      if (!/分钟|秒/.test(err.message)) err.message += `，请 ${ra} 秒后重试`;
    }
    throw err;
  }
  return data;
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts = {}) =>
    request('PATCH', path, { contentType: 'application/merge-patch+json', ...opts, body }),
  del: (path, opts = {}) => request('DELETE', path, opts),
};

// Fetches every page of a {items, next_cursor} list, up to max items.
export async function listAll(path, query = {}, max = 500) {
  const out = [];
  let cursor = null;
  do {
    const page = await api.get(path, { ...query, limit: 100, cursor });
    out.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && out.length < max);
  return out;
}
