import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import {
  NOTES_MAX_BYTES,
  isAllowedLinkUrl,
  notesDocumentSchema,
  notesPlainText,
  parseNotes,
  renderNotesHtml,
  type NotesDocument,
} from "@/lib/evidence/notes";

const text = (t: string, format = 0) => ({ type: "text", text: t, format, detail: 0, mode: "normal", style: "", version: 1 });
const paragraph = (...children: unknown[]) => ({ type: "paragraph", children, direction: null, format: "", indent: 0, version: 1 });
const link = (url: string, children: unknown[], extra: Record<string, unknown> = {}) => ({
  type: "link",
  url,
  children,
  rel: null,
  target: null,
  title: null,
  direction: null,
  format: "",
  indent: 0,
  version: 1,
  ...extra,
});
const doc = (...children: unknown[]) =>
  ({ root: { type: "root", children, direction: null, format: "", indent: 0, version: 1 } }) as unknown as NotesDocument;

/** Calls fn and returns the AppError it throws (fails the test if it throws anything else or nothing). */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}

describe("parseNotes + renderNotesHtml: Markdown", () => {
  const markdown = [
    "# Quarterly access review",
    "",
    "Reviewed by **Dana** with *care* using `sync-42`.",
    "",
    "- admins",
    "- contractors",
    "",
    "1. export",
    "2. compare",
    "",
    "See [the ticket](https://tickets.example.com/T-1?a=1&b=2).",
    "",
    "```sql",
    "select * from grants;",
    "where x < 2",
    "```",
  ].join("\n");

  it("turns headings, emphasis, lists, links and code blocks into the matching HTML", () => {
    const html = renderNotesHtml(parseNotes(markdown));
    expect(html).toContain("<h1>Quarterly access review</h1>");
    expect(html).toContain("<strong>Dana</strong>");
    expect(html).toContain("<em>care</em>");
    expect(html).toContain("<code>sync-42</code>");
    expect(html).toContain("<ul><li>admins</li><li>contractors</li></ul>");
    expect(html).toContain("<ol><li>export</li><li>compare</li></ol>");
    expect(html).toContain(
      '<a href="https://tickets.example.com/T-1?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">the ticket</a>',
    );
    expect(html).toContain('<pre><code class="language-sql">select * from grants;\nwhere x &lt; 2</code></pre>');
  });

  it("renders nested lists inside their parent item", () => {
    const html = renderNotesHtml(parseNotes("- parent\n  - child"));
    expect(html).toMatch(/<ul><li>parent<\/li><li data-nested><ul><li>child<\/li><\/ul><\/li><\/ul>/);
  });

  it("keeps the text for search, one line per block", () => {
    expect(notesPlainText(parseNotes("# Title\n\nFirst **bold** line\n\n- a\n- b"))).toBe("Title\nFirst bold line\na\nb");
  });

  it("reads a string that merely starts with a brace as Markdown", () => {
    expect(renderNotesHtml(parseNotes("{draft} reviewed"))).toBe("<p>{draft} reviewed</p>");
  });
});

describe("parseNotes: Lexical JSON", () => {
  const lexical = doc(
    { type: "heading", tag: "h2", children: [text("Scope")], direction: null, format: "", indent: 0, version: 1 },
    paragraph(text("All "), text("privileged", 1), text(" accounts")),
  );

  it("accepts the object and its JSON string alike", () => {
    const fromObject = parseNotes(lexical);
    const fromString = parseNotes(JSON.stringify(lexical));
    expect(fromString).toEqual(fromObject);
    expect(fromObject.root.type).toBe("root");
    expect(renderNotesHtml(fromObject)).toBe("<h2>Scope</h2><p>All <strong>privileged</strong> accounts</p>");
  });

  it("round-trips what it produces", () => {
    const once = parseNotes("Some *notes*");
    expect(parseNotes(once)).toEqual(once);
  });

  it("refuses JSON that is not a Lexical document, saying what is expected", () => {
    for (const input of [{ foo: 1 }, '{"foo":1}', { root: { type: "paragraph", children: [] } }, { root: { type: "root" } }]) {
      const e = appError(() => parseNotes(input));
      expect(e.code).toBe("unprocessable:notes");
      expect(e.message).toMatch(/Lexical document with a root node/);
    }
    expect(notesDocumentSchema.safeParse({ foo: 1 }).success).toBe(false);
  });

  it("refuses node types the editor does not know, naming them", () => {
    const e = appError(() => parseNotes(doc({ type: "html", html: "<b>x</b>", children: [text("x")] })));
    expect(e.code).toBe("unprocessable:notes");
    expect(e.message).toMatch(/does not support \("html"\)/);
  });

  it("refuses empty notes", () => {
    for (const input of ["", "   \n\t ", doc(paragraph()), doc(paragraph(text("   ")))]) {
      const e = appError(() => parseNotes(input));
      expect(e.code).toBe("unprocessable:notes");
      expect(e.message).toMatch(/empty/);
    }
  });

  it("refuses other values", () => {
    for (const input of [null, undefined, 42, ["a"]]) {
      expect(appError(() => parseNotes(input)).code).toBe("unprocessable:notes");
    }
  });
});

describe("size and depth limits", () => {
  it("refuses oversized Markdown and oversized JSON with an actionable message", () => {
    const big = "word ".repeat(NOTES_MAX_BYTES / 5 + 10);
    for (const input of [big, doc(paragraph(text(big))), JSON.stringify(doc(paragraph(text(big))))]) {
      const e = appError(() => parseNotes(input));
      expect(e.code).toBe("unprocessable:notes");
      expect(e.message).toMatch(/too large .*limit is 200 KB/);
    }
  });

  it("refuses a document that only grows too large once converted from Markdown", () => {
    // Each item is a few bytes of Markdown but about 190 bytes of Lexical JSON.
    const markdown = (`${"- x\n".repeat(150)}\n`).repeat(10);
    expect(markdown.length).toBeLessThan(10_000);
    const e = appError(() => parseNotes(markdown));
    expect(e.message).toMatch(/too large .*limit is 200 KB/);
  });

  it("refuses Markdown that would take the converter seconds, before converting it", () => {
    const cases: Array<[string, RegExp]> = [
      ["**a** ".repeat(3_000), /more than 200 formatting marks/],
      [(`${"**a** *b* ".repeat(40)}\n\n`).repeat(20), /more than 1000 formatting marks/],
      ["some text line\n".repeat(2_000), /more than 200 lines without a blank line/],
      [(`${"some text line\n".repeat(150)}\n`).repeat(20), /too large/],
      [Array.from({ length: 60 }, (_, i) => `${" ".repeat(i * 2)}- x\n`).join(""), /nested too deeply/],
    ];
    for (const [markdown, message] of cases) {
      const started = performance.now();
      const e = appError(() => parseNotes(markdown));
      expect(e.code).toBe("unprocessable:notes");
      expect(e.message).toMatch(message);
      expect(performance.now() - started).toBeLessThan(100);
    }
  });

  it("still accepts long code blocks and snake_case identifiers", () => {
    const code = `\`\`\`sql\n${"select user_id from grants;\n".repeat(1_000)}\`\`\``;
    expect(renderNotesHtml(parseNotes(code))).toMatch(/^<pre><code class="language-sql">select user_id/);
    const identifiers = Array.from({ length: 150 }, (_, i) => `group_id_${i}`).join(" ");
    expect(notesPlainText(parseNotes(identifiers))).toBe(identifiers);
  });

  it("refuses hostile nesting without blowing the stack, and renders it without throwing", () => {
    let node: Record<string, unknown> = text("deep");
    for (let i = 0; i < 5_000; i++) node = { type: "quote", children: [node] };
    const deep = doc(node);
    const e = appError(() => parseNotes(deep));
    expect(e.message).toMatch(/nested too deeply/);
    expect(() => renderNotesHtml(deep)).not.toThrow();
    expect(() => notesPlainText(deep)).not.toThrow();
    const deepString = `{"root":{"type":"root","children":[${'{"type":"quote","children":['.repeat(5_000)}${"]}".repeat(5_000)}]}}`;
    expect(appError(() => parseNotes(deepString)).message).toMatch(/nested too deeply/);
    let junk: unknown = 1;
    for (let i = 0; i < 20_000; i++) junk = [junk];
    const e2 = appError(() => parseNotes(doc({ ...paragraph(text("x")), junk })));
    expect(e2.code).toBe("unprocessable:notes");
    expect(() => parseNotes("[".repeat(100_000) + "]".repeat(100_000))).toThrow(AppError);
  });
});

describe("renderNotesHtml does not trust the document", () => {
  it("escapes markup in text, from Markdown and from JSON", () => {
    const fromMarkdown = renderNotesHtml(parseNotes("<script>alert(1)</script> & <img src=x onerror=alert(1)>"));
    expect(fromMarkdown).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</p>");
    const fromJson = renderNotesHtml(doc(paragraph(text("<script>alert(1)</script>", 1))));
    expect(fromJson).toBe("<p><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></p>");
  });

  it("drops links that are not http, https or mailto but keeps their text", () => {
    const bad = [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "java\nscript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "vbscript:msgbox(1)",
      "/admin/delete",
      "//evil.example.com",
      "https:evil",
    ];
    for (const url of bad) {
      const html = renderNotesHtml(doc(paragraph(link(url, [text("click")]))));
      expect(html, url).toBe("<p>click</p>");
      expect(isAllowedLinkUrl(url), url).toBe(false);
    }
    expect(renderNotesHtml(parseNotes("[x](javascript:alert(1))"))).not.toContain("<a");
    expect(renderNotesHtml(doc(paragraph({ ...link("javascript:alert(1)", [text("auto")]), type: "autolink" })))).toBe("<p>auto</p>");
  });

  it("keeps http, https and mailto links", () => {
    expect(renderNotesHtml(doc(paragraph(link("mailto:audit@example.com", [text("mail")]))))).toBe(
      '<p><a href="mailto:audit@example.com" rel="noopener noreferrer nofollow" target="_blank">mail</a></p>',
    );
  });

  it("escapes quotes in attribute values", () => {
    const html = renderNotesHtml(
      doc(paragraph(link('https://example.com/?q="><script>', [text("t")], { title: `a" onmouseover="alert(1)' x='` }))),
    );
    expect(html).not.toMatch(/"\s*onmouseover=/);
    expect(html).not.toContain("<script");
    expect(html).toContain('title="a&quot; onmouseover=&quot;alert(1)&#39; x=&#39;"');
    expect(html).toMatch(/^<p><a href="https:\/\/example\.com\/\?q=(%22|&quot;)(%3E|&gt;)(%3C|&lt;)script(%3E|&gt;)"/);
  });

  it("never emits unknown node types or their properties raw", () => {
    const html = renderNotesHtml(
      doc(
        { type: "html", html: "<img src=x onerror=alert(1)>", children: [text("kept")] },
        { type: "html", html: "<iframe src=javascript:alert(1)>" },
        { type: "heading", tag: 'h1 onclick="alert(1)"', children: [text("h")] },
        { type: "code", language: '"><script>', children: [text("c")] },
        paragraph({ ...text("styled"), style: "background:url(javascript:alert(1))" }),
      ),
    );
    expect(html).toBe("kept<p>h</p><pre><code>c</code></pre><p>styled</p>");
  });

  it("ignores a non-numeric format and renders every format bit", () => {
    expect(renderNotesHtml(doc(paragraph({ ...text("x"), format: "<b>" })))).toBe("<p>x</p>");
    expect(renderNotesHtml(doc(paragraph(text("x", 1 | 2 | 4 | 8 | 16 | 32 | 64))))).toBe(
      "<p><strong><em><u><s><sup><sub><code>x</code></sub></sup></s></u></em></strong></p>",
    );
  });
});
