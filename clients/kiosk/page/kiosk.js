// The reference kiosk page (政务公开专区): plain ES modules, no build step, served at /kiosk/.
import { Api, ApiError, Offline, forget, load, save } from "./api.js";
import { watchLocalItems } from "./live.js";

const params = new URLSearchParams(location.search);
const IDLE_SECONDS = Number(params.get("idle")) > 0 ? Number(params.get("idle")) : 120;
const PAGE_SIZE = 50;

const KINDS = {
  GOVERNMENT_INFO: "政府信息",
  POLICY_INTERPRETATION: "政策解读",
  NOTICE: "通知公告",
  VILLAGE_AFFAIRS: "村务公开",
};
const STATUS = {
  RECEIVED: "已收到",
  REGISTERED: "已登记",
  ASSIGNED: "办理中",
  AWAITING_CORRECTION: "待补正",
  CONSULTING: "会商中",
  THIRD_PARTY: "征求第三方意见",
  IN_REVIEW: "审核中",
  REPLIED: "已答复",
  ARCHIVED: "已归档",
  WITHDRAWN: "已撤回",
  CLOSED: "已办结",
};
const REPLY = {
  DISCLOSED: "予以公开",
  PARTIALLY_DISCLOSED: "部分公开",
  NOT_DISCLOSED: "不予公开",
  UNABLE: "无法提供",
  NOT_PROCESSED: "不予处理",
  OTHER: "其他处理",
};
const ALL = "";

const $ = (id) => document.getElementById(id);

// Elements from data only: text goes in as text, never as markup.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function day(iso) {
  if (!iso) return "";
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso); // a Date of the schema: no time zone to convert
  if (date) return `${date[1]}年${Number(date[2])}月${Number(date[3])}日`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

function time(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function size(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function message(error) {
  if (error instanceof Offline) return "暂时无法连接政务公开平台，请稍后再试或咨询窗口工作人员。";
  if (error instanceof ApiError) return error.message;
  return "出现问题，请稍后再试。";
}

// A search snippet marks its hits with <mark>: only that tag is kept, the rest is text.
function snippet(text) {
  const out = [];
  const parts = String(text || "").split(/(<mark>.*?<\/mark>)/g);
  for (const part of parts) {
    const hit = /^<mark>(.*)<\/mark>$/.exec(part);
    out.push(hit ? h("mark", {}, hit[1]) : part);
  }
  return out;
}

const BODY_TAGS = new Set(["P", "BR", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "LI", "STRONG", "EM",
  "B", "I", "U", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "BLOCKQUOTE", "SPAN", "DIV", "SUB", "SUP"]);

// An HTML body is rebuilt from an allow-list of tags without attributes; anything else is its text.
function htmlBody(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const children = [...node.childNodes].map(copy).filter(Boolean);
    if (["SCRIPT", "STYLE", "IFRAME", "OBJECT", "TEMPLATE"].includes(node.tagName)) return null;
    if (!BODY_TAGS.has(node.tagName)) {
      const fragment = document.createDocumentFragment();
      fragment.append(...children);
      return fragment;
    }
    const el = document.createElement(node.tagName.toLowerCase());
    el.append(...children);
    return el;
  };
  const fragment = document.createDocumentFragment();
  fragment.append(...[...parsed.body.childNodes].map(copy).filter(Boolean));
  return fragment;
}

class Kiosk {
  constructor() {
    this.api = null;
    this.unitCode = null;
    this.unit = null;
    this.items = [];
    this.column = ALL;
    this.domain = ALL;
    this.view = "home";
    this.stopLive = null;
    this.idleTimer = null;
    this.blobs = [];
    this.directory = [];
  }

  async start() {
    $("setup-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.setUp($("setup-token").value.trim());
    });
    const token = load("token");
    if (!token) return this.showSetup();
    try {
      await this.signIn(token, load("unitCode"));
    } catch (error) {
      this.showSetup(message(error));
    }
  }

  showSetup(problem = "") {
    $("app").hidden = true;
    $("setup").hidden = false;
    $("setup-error").textContent = problem;
    $("setup-token").focus();
  }

  async setUp(token) {
    if (!token) return;
    $("setup-error").textContent = "正在验证……";
    try {
      await this.signIn(token, null);
    } catch (error) {
      $("setup-error").textContent =
        error instanceof ApiError && error.code === "UNAUTHENTICATED" ? "设备令牌无效或已被停用，请核对后重新输入。" : message(error);
    }
  }

  // The unit is the last code of the device's KIOSK grant; it is kept, so a kiosk that starts while
  // the API is away still knows its place.
  async signIn(token, keptUnit) {
    const ids = await Api.documentIds();
    const api = new Api(token, ids);
    let unitCode = keptUnit;
    try {
      const { data } = await api.query("KioskDevice", {});
      const grant = data.me && data.me.grants.find((g) => g.role === "KIOSK" && !g.revokedAt);
      if (!grant) throw new ApiError("该令牌不是政务公开终端的设备令牌。", "NOT_A_KIOSK");
      unitCode = grant.scopePath.split("/").pop();
    } catch (error) {
      if (error instanceof ApiError && error.code === "UNAUTHENTICATED") forget("token");
      if (!(error instanceof Offline) || !unitCode) throw error;
    }
    save("token", token);
    save("unitCode", unitCode);
    this.api = api;
    this.unitCode = unitCode;
    $("setup").hidden = true;
    $("app").hidden = false;
    this.wire();
    await this.loadUnit();
    this.loadDirectory();
    this.stopLive = watchLocalItems(
      api,
      { unitCode, first: PAGE_SIZE, filter: { includePowerList: false } },
      {
        onItems: (data) => this.showItems(data),
        onStatus: (online, at, error) => this.showStatus(online, at, error),
      },
    );
  }

  wire() {
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => this.go(tab.dataset.view));
    }
    $("reader-back").addEventListener("click", () => this.go(this.readerFrom || "home"));
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search($("search-input").value.trim());
    });
    $("apply-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.apply();
    });
    $("status-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.lookUp();
    });
    for (const kind of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
      document.addEventListener(kind, () => this.awake(), { passive: true });
    }
    this.awake();
    const tick = () => {
      const now = new Date();
      $("clock").textContent = `${now.getFullYear()}年${now.getMonth() + 1}月${now.getDate()}日 ${now.toTimeString().slice(0, 5)}`;
    };
    tick();
    setInterval(tick, 15000);
  }

  // The idle timer: after IDLE_SECONDS without a touch the screen returns home and forgets input.
  awake() {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.reset(), IDLE_SECONDS * 1000);
  }

  reset() {
    for (const form of document.querySelectorAll("form")) {
      if (form.id !== "setup-form") form.reset();
    }
    for (const id of ["apply-error", "status-error", "search-count"]) $(id).textContent = "";
    $("search-results").replaceChildren();
    $("receipt").hidden = true;
    $("receipt").replaceChildren();
    $("apply-form").hidden = false;
    $("status-result").hidden = true;
    $("status-result").replaceChildren();
    this.column = ALL;
    this.domain = ALL;
    this.renderItems();
    this.go("home");
    window.scrollTo(0, 0);
  }

  go(view) {
    this.view = view;
    if (view !== "reader") this.closeViewer();
    for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
    for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
    if (view === "power") this.loadPower();
    if (view === "search") $("search-input").focus();
    window.scrollTo(0, 0);
  }

  showStatus(online, at, error) {
    const notice = $("offline");
    if (online) {
      notice.hidden = true;
      document.body.classList.remove("is-offline");
      return;
    }
    document.body.classList.add("is-offline");
    notice.hidden = false;
    const since = at ? `，正在显示 ${time(at)} 的内容` : "";
    notice.textContent = error && !(error instanceof Offline)
      ? `暂时无法更新：${message(error)}`
      : `网络连接中断${since}。恢复后将自动更新。`;
  }

  async loadUnit() {
    try {
      const { data } = await this.api.query("KioskUnit", { code: this.unitCode });
      this.unit = data.unit;
    } catch {
      this.unit = null;
    }
    const unit = this.unit;
    $("unit-name").textContent = unit ? `${unit.name}政务公开专区` : "政务公开专区";
    $("unit-path").textContent = unit ? unit.ancestors.map((a) => a.name).join(" · ") : this.unitCode;
    $("tab-power").hidden = !(unit && unit.level === "VILLAGE");
  }

  // -- home: what applies here, by column and domain, newest first ------------------------------------

  showItems(data) {
    const edges = (data.localItems && data.localItems.edges) || [];
    this.items = edges.map((e) => e.node).filter((n) => n.__typename === "Document");
    this.items.sort((a, b) => String(b.publishedAt).localeCompare(String(a.publishedAt)));
    this.renderItems();
  }

  renderItems() {
    const kinds = [...new Set(this.items.map((d) => d.kind))];
    const domains = [...new Set(this.items.map((d) => d.current && d.current.domain && d.current.domain.name).filter(Boolean))];
    if (this.column !== ALL && !kinds.includes(this.column)) this.column = ALL;
    if (this.domain !== ALL && !domains.includes(this.domain)) this.domain = ALL;
    const chip = (label, active, onclick) => h("button", { type: "button", class: active ? "chip active" : "chip", onclick }, label);
    $("columns").replaceChildren(
      chip("全部栏目", this.column === ALL, () => { this.column = ALL; this.renderItems(); }),
      ...Object.keys(KINDS).filter((k) => kinds.includes(k)).map((k) =>
        chip(KINDS[k], this.column === k, () => { this.column = k; this.renderItems(); })),
    );
    $("domains").replaceChildren(
      chip("全部领域", this.domain === ALL, () => { this.domain = ALL; this.renderItems(); }),
      ...domains.map((name) => chip(name, this.domain === name, () => { this.domain = name; this.renderItems(); })),
    );
    const shown = this.items.filter((d) =>
      (this.column === ALL || d.kind === this.column) &&
      (this.domain === ALL || (d.current && d.current.domain && d.current.domain.name === this.domain)));
    $("home-count").textContent = `共 ${shown.length} 条`;
    $("items").replaceChildren(...shown.map((d) => this.card(d, "home")));
  }

  card(doc, from) {
    const domain = doc.current && doc.current.domain ? doc.current.domain.name : null;
    return h("li", {},
      h("button", { type: "button", class: "card item", dataset: { id: doc.id }, onclick: () => this.open(doc.id, from) },
        h("span", { class: "title" }, doc.title),
        h("span", { class: "meta" },
          doc.kind ? h("span", { class: "tag" }, KINDS[doc.kind] || doc.kind) : null,
          domain ? h("span", { class: "tag domain" }, domain) : null,
          h("span", {}, doc.publisher ? doc.publisher.name : ""),
          h("span", {}, day(doc.publishedAt))),
        doc.snippet ? h("span", { class: "snippet" }, snippet(doc.snippet)) : null,
        doc.current && doc.current.summary ? h("span", { class: "summary" }, doc.current.summary) : null));
  }

  // -- the reader -------------------------------------------------------------------------------------

  async open(id, from) {
    this.readerFrom = from;
    const reader = $("reader");
    reader.replaceChildren(h("p", { class: "count" }, "正在打开……"));
    this.go("reader");
    try {
      const { data, stale } = await this.api.query("KioskDocument", { id });
      const doc = data.node;
      if (!doc) {
        reader.replaceChildren(h("p", { class: "error" }, "该信息已不再公开。"));
        return;
      }
      const c = doc.current || {};
      const meta = [
        ["索引号", doc.indexNo],
        ["发布机构", doc.publisher && doc.publisher.name],
        ["发文字号", c.docNumber],
        ["成文日期", day(c.writtenOn)],
        ["发布日期", day(doc.publishedAt)],
        ["主题", c.domain && c.domain.name],
      ].filter(([, v]) => v);
      const attachments = c.attachments || [];
      reader.replaceChildren(...[
        h("h2", { class: "doc-title" }, doc.title),
        stale ? h("p", { class: "notice inline" }, "网络连接中断，显示的是此前保存的内容。") : null,
        h("dl", { class: "doc-meta" }, meta.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
        c.summary ? h("p", { class: "summary" }, c.summary) : null,
        h("div", { class: "doc-body" }, c.bodyFormat === "HTML" ? htmlBody(c.body || "") : h("p", { class: "text" }, c.body || "")),
        attachments.length
          ? h("div", { class: "attachments" },
            h("h3", {}, "附件"),
            h("ul", {}, attachments.map((a) => h("li", {},
              h("button", { type: "button", class: "attachment", onclick: () => this.showAttachment(a) },
                `${a.filename}（${size(a.size)}）`)))))
          : null,
      ].filter(Boolean));
    } catch (error) {
      reader.replaceChildren(h("p", { class: "error" }, message(error)));
    }
  }

  async showAttachment(attachment) {
    const viewer = $("viewer");
    viewer.hidden = false;
    viewer.replaceChildren(h("p", { class: "count" }, `正在打开 ${attachment.filename}……`));
    try {
      const blob = await this.api.download(attachment.url);
      const url = URL.createObjectURL(new Blob([blob], { type: attachment.contentType }));
      this.blobs.push(url);
      const close = h("button", { type: "button", class: "back", onclick: () => this.closeViewer() }, "关闭附件");
      let body;
      if (attachment.contentType === "application/pdf") {
        body = h("iframe", { class: "pdf", src: url, title: attachment.filename });
      } else if (attachment.contentType.startsWith("image/")) {
        body = h("img", { class: "picture", src: url, alt: attachment.filename });
      } else {
        body = h("p", {}, "此类附件请在窗口打印或下载查看：", h("a", { href: url, download: attachment.filename }, attachment.filename));
      }
      viewer.replaceChildren(h("div", { class: "viewer-bar" }, h("span", {}, attachment.filename), close), body);
      viewer.scrollIntoView({ block: "start" });
    } catch (error) {
      viewer.replaceChildren(h("p", { class: "error" }, message(error)));
    }
  }

  closeViewer() {
    const viewer = $("viewer");
    viewer.hidden = true;
    viewer.replaceChildren();
    for (const url of this.blobs.splice(0)) URL.revokeObjectURL(url);
  }

  // -- search -----------------------------------------------------------------------------------------

  async search(text) {
    if (!text) return;
    $("search-count").textContent = "正在搜索……";
    $("search-results").replaceChildren();
    try {
      // What a visitor searched for is not kept on the kiosk.
      const { data } = await this.api.query(
        "KioskSearch", { query: text, unitCode: this.unitCode, first: 20 }, { keep: false });
      const edges = data.search.edges;
      const count = data.search.totalCountExact ? `${data.search.totalCount}` : `${data.search.totalCount} 余`;
      $("search-count").textContent = `“${text}”：共 ${count} 条`;
      $("search-results").replaceChildren(...edges.map(({ node }) =>
        this.card({ ...node.document, snippet: node.snippet }, "search")));
    } catch (error) {
      $("search-count").textContent = message(error);
    }
  }

  // -- directory and micro-power list ---------------------------------------------------------------

  async loadDirectory() {
    try {
      const { data } = await this.api.query("UnitDirectory", { unitCode: this.unitCode });
      this.directory = data.unitDirectory;
    } catch (error) {
      $("directory").replaceChildren(h("li", { class: "error" }, message(error)));
      return;
    }
    const row = (label, value) => (value ? [h("dt", {}, label), h("dd", {}, value)] : null);
    $("directory").replaceChildren(...this.directory.map((org) => h("li", { class: "card org" },
      h("h3", {}, org.name),
      h("span", { class: "meta" }, h("span", { class: "tag" }, `${org.unit.name}`)),
      h("dl", {},
        row("职能", org.profile && org.profile.functions),
        row("地址", org.profile && org.profile.address),
        row("办公时间", org.profile && org.profile.officeHours),
        row("电话", org.profile && org.profile.phone),
        row("负责人", org.profile && org.profile.head)))));
    const select = $("apply-org");
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "" }, "请选择"),
      ...this.directory.map((org) => h("option", { value: org.id }, `${org.name}（${org.unit.name}）`)));
    select.value = chosen;
  }

  async loadPower() {
    const box = $("power");
    try {
      const { data } = await this.api.query("KioskVillagePowerList", { villageCode: this.unitCode });
      const groups = new Map();
      for (const item of data.villagePowerList) {
        if (!groups.has(item.category)) groups.set(item.category, []);
        groups.get(item.category).push(item);
      }
      box.replaceChildren(...[...groups].map(([category, items]) => h("section", { class: "power-group" },
        h("h2", {}, category),
        h("ul", { class: "cards" }, items.map((item) => h("li", { class: "card power" },
          h("h3", {}, item.name),
          item.applicable ? null : h("p", { class: "tag" }, `本村不适用：${item.notApplicableReason || ""}`),
          h("ol", { class: "steps" }, item.steps.map((s) => h("li", {}, s))),
          h("dl", {},
            item.responsible ? [h("dt", {}, "责任主体"), h("dd", {}, item.responsible)] : null,
            item.disclosed ? [h("dt", {}, "公开内容"), h("dd", {}, item.disclosed)] : null,
            item.timing ? [h("dt", {}, "公开时限"), h("dd", {}, item.timing)] : null,
            item.channel ? [h("dt", {}, "公开方式"), h("dd", {}, item.channel)] : null,
            item.basis ? [h("dt", {}, "依据"), h("dd", {}, item.basis)] : null)))))));
    } catch (error) {
      box.replaceChildren(h("p", { class: "error" }, message(error)));
    }
  }

  // -- 申请 and 查询 ------------------------------------------------------------------------------------

  async apply() {
    const form = $("apply-form");
    const field = (name) => form.elements[name].value.trim();
    const input = {
      organizationId: field("organizationId"),
      channel: "KIOSK",
      applicantType: field("applicantType"),
      applicantName: field("applicantName"),
      description: field("description"),
      deliveryForm: field("deliveryForm"),
      idNumber: field("idNumber") || null,
      phone: field("phone") || null,
      address: field("address"),
    };
    $("apply-error").textContent = "正在提交……";
    try {
      const data = await this.api.mutate("KioskSubmitInfoRequest", { input });
      const result = data.submitInfoRequest;
      if (result.errors.length) {
        $("apply-error").textContent = result.errors.map((e) => e.message).join("；");
        return;
      }
      $("apply-error").textContent = "";
      const org = this.directory.find((o) => o.id === input.organizationId);
      this.showReceipt(result, input, org);
    } catch (error) {
      $("apply-error").textContent = message(error);
    }
  }

  showReceipt(result, input, org) {
    const status = result.status || {};
    const receipt = $("receipt");
    receipt.replaceChildren(
      h("h2", {}, "政府信息公开申请回执"),
      h("p", { class: "receipt-lead" }, "请妥善保存查询码和查询密码，凭此查询办理进度。"),
      h("dl", { class: "receipt-fields" },
        h("dt", {}, "查询码"), h("dd", { class: "code", id: "receipt-code" }, result.trackingCode),
        h("dt", {}, "查询密码"), h("dd", { class: "code", id: "receipt-password" }, result.password),
        h("dt", {}, "受理机关"), h("dd", {}, org ? org.name : ""),
        h("dt", {}, "申请人"), h("dd", {}, input.applicantName),
        h("dt", {}, "申请内容"), h("dd", {}, input.description),
        h("dt", {}, "收到日期"), h("dd", {}, day(status.receivedOn)),
        h("dt", {}, "答复期限"), h("dd", {}, `${day(status.dueOn)}${status.dueProvisional ? "（暂定）" : ""}`),
        h("dt", {}, "申请渠道"), h("dd", {}, `${this.unit ? this.unit.name : ""}政务公开专区终端`)),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", onclick: () => window.print() }, "打印回执"),
        h("button", { type: "button", onclick: () => this.reset() }, "完成")),
    );
    $("apply-form").hidden = true;
    receipt.hidden = false;
    window.scrollTo(0, 0);
  }

  async lookUp() {
    const form = $("status-form");
    const variables = { trackingCode: form.elements.trackingCode.value.trim(), password: form.elements.password.value.trim() };
    const out = $("status-result");
    $("status-error").textContent = "正在查询……";
    out.hidden = true;
    try {
      // The status belongs to the applicant: it is never kept on the kiosk.
      const { data } = await this.api.query("KioskInfoRequestStatus", variables, { keep: false });
      const s = data.infoRequestStatus;
      if (!s) {
        $("status-error").textContent = "查询码或查询密码不正确，请核对后重新输入。";
        return;
      }
      $("status-error").textContent = "";
      const rows = [
        ["查询码", s.trackingCode],
        ["办理状态", STATUS[s.status] || s.status],
        ["收到日期", day(s.receivedOn)],
        ["答复期限", `${day(s.dueOn)}${s.dueProvisional ? "（暂定）" : ""}`],
        ["答复日期", day(s.repliedOn)],
        ["答复结果", s.replyType ? REPLY[s.replyType] || s.replyType : ""],
        ["理由", s.replyReason],
        ["答复书", s.replyLetter],
      ].filter(([, v]) => v);
      out.replaceChildren(h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
      out.hidden = false;
    } catch (error) {
      $("status-error").textContent = message(error);
    }
  }
}

new Kiosk().start();
