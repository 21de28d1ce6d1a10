/**
 * Audit-evidence notes: rich text stored as a Lexical serialized editor state.
 *
 * Notes arrive from the rich-text editor (Lexical JSON) or from the API
 * (Lexical JSON, or Markdown). `parseNotes` turns either into a checked,
 * normalised Lexical document; `renderNotesHtml` turns a stored document into
 * HTML by walking the JSON itself with an allow-list, so nothing in the
 * document is ever emitted raw and no DOM or HTML sanitizer is needed on the
 * server. Client-safe: no React, no DOM, no server-only imports.
 */
import "@/lib/zod-browser";
import { z } from "zod";
import type { Klass, LexicalEditor, LexicalNode, SerializedEditorState } from "lexical";
import { createHeadlessEditor } from "@lexical/headless";
import { $convertFromMarkdownString, TRANSFORMERS } from "@lexical/markdown";
import { HeadingNode, QuoteNode } from "@lexical/rich-text";
import { ListItemNode, ListNode } from "@lexical/list";
import { AutoLinkNode, LinkNode } from "@lexical/link";
import { CodeHighlightNode, CodeNode } from "@lexical/code";
import { AppError } from "@/lib/errors";

/** The largest stored document (its JSON, in UTF-8 bytes). */
export const NOTES_MAX_BYTES = 200_000;
/** Deepest nesting of nodes accepted and rendered (root is depth 0). */
export const NOTES_MAX_DEPTH = 50;

/** A Lexical serialized editor state (`editorState.toJSON()`). */
export type NotesDocument = SerializedEditorState;

/**
 * The node classes notes may contain. The editor registers exactly these, so
 * every stored document can be opened in it again.
 */
export const NOTES_NODES: ReadonlyArray<Klass<LexicalNode>> = [
  HeadingNode,
  QuoteNode,
  ListNode,
  ListItemNode,
  LinkNode,
  AutoLinkNode,
  CodeNode,
  CodeHighlightNode,
];

/** Node types every Lexical editor knows without registration. */
const CORE_NODE_TYPES = ["root", "paragraph", "text", "linebreak", "tab"];

const NOT_A_DOCUMENT = "Notes must be rich text from the notes editor (a Lexical document with a root node) or Markdown text.";
const EMPTY = "Notes are empty: write what was reviewed, by whom, and why, or leave the notes out.";
const TOO_DEEP = `Notes are nested too deeply (more than ${NOTES_MAX_DEPTH} levels). Flatten the lists or quotes.`;

function tooLarge(bytes: number) {
  return (
    `Notes are too large (${Math.ceil(bytes / 1000)} KB; the limit is ${NOTES_MAX_BYTES / 1000} KB). ` +
    "Shorten them, or attach the material as an evidence file instead."
  );
}

function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The first structural problem in a document, or null. Iterative, so a
 * hostile nesting depth cannot exhaust the stack before it is refused.
 */
function structureProblem(root: Json): string | null {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > NOTES_MAX_DEPTH) return TOO_DEEP;
    if (!isObject(node) || typeof node.type !== "string" || node.type === "") return NOT_A_DOCUMENT;
    if (node.children === undefined) continue;
    if (!Array.isArray(node.children)) return NOT_A_DOCUMENT;
    for (const child of node.children) stack.push({ node: child, depth: depth + 1 });
  }
  return null;
}

/**
 * A Lexical serialized editor state: `{ root: { type: "root", children: [...] } }`
 * whose every node is an object with a `type`, no deeper than NOTES_MAX_DEPTH
 * and no larger than NOTES_MAX_BYTES as JSON.
 */
export const notesDocumentSchema = z
  .looseObject(
    {
      root: z.looseObject(
        {
          type: z.literal("root", { error: NOT_A_DOCUMENT }),
          children: z.array(z.unknown(), { error: NOT_A_DOCUMENT }),
        },
        { error: NOT_A_DOCUMENT },
      ),
    },
    { error: NOT_A_DOCUMENT },
  )
  .superRefine((doc, ctx) => {
    const problem = structureProblem(doc.root);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(doc);
    } catch {
      // Deep nesting outside `children` (or a cycle) that stringify cannot walk.
      ctx.addIssue({ code: "custom", message: TOO_DEEP });
      return;
    }
    const bytes = utf8Bytes(json);
    if (bytes > NOTES_MAX_BYTES) ctx.addIssue({ code: "custom", message: tooLarge(bytes) });
  })
  .transform((doc) => doc as unknown as NotesDocument);

function fail(message: string): never {
  throw new AppError("unprocessable:notes", message);
}

function newEditor(): { editor: LexicalEditor; errors: Error[] } {
  const errors: Error[] = [];
  const editor = createHeadlessEditor({
    namespace: "evidence-notes",
    nodes: [...NOTES_NODES],
    onError: (error) => {
      errors.push(error);
    },
  });
  return { editor, errors };
}

const KNOWN_NODE_TYPES = new Set([...CORE_NODE_TYPES, ...NOTES_NODES.map((k) => k.getType())]);

function firstUnknownType(node: unknown): string | null {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Json;
    if (!KNOWN_NODE_TYPES.has(n.type as string)) return String(n.type);
    if (Array.isArray(n.children)) stack.push(...n.children);
  }
  return null;
}

/** Re-reads a checked document through a headless editor, so what is stored is what the editor itself would save. */
function normalise(doc: NotesDocument): NotesDocument {
  const unknown = firstUnknownType(doc.root);
  if (unknown !== null) {
    fail(`Notes contain an element the notes editor does not support ("${unknown.slice(0, 40)}"). Remove it and try again.`);
  }
  const { editor, errors } = newEditor();
  let result: NotesDocument;
  try {
    result = editor.parseEditorState(doc).toJSON();
  } catch {
    fail(NOT_A_DOCUMENT);
  }
  if (errors.length > 0) fail(NOT_A_DOCUMENT);
  return result;
}

// Lexical's Markdown import is quadratic in the lines of one paragraph and in
// the formatted spans of one paragraph (measured: 5 KB of `**a** ` takes
// 0.6 s, 20 KB takes 5 s). These limits, checked before converting, keep the
// worst case to a few hundred milliseconds without refusing real notes.
const MARKDOWN_MAX_BLOCK_LINES = 200;
const MARKDOWN_MAX_BLOCK_MARKS = 200;
const MARKDOWN_MAX_MARKS = 1_000;
const MARKDOWN_MAX_LIST_COLUMN = 100;
/** Every non-blank line outside code becomes at least one node of this many bytes of JSON. */
const MIN_BYTES_PER_LINE = 85;

// The fence rules of Lexical's own Markdown import, so lines inside code are
// counted as it will treat them.
const CODE_START = /^([ \t]*`{3,})([\w-]+)?[ \t]?/;
const CODE_END = /^[ \t]*`{3,}$/;
const CODE_SINGLE_LINE = /^[ \t]*```[^`]+(?:(?:`{1,2}|`{4,})[^`]+)*```(?:[^`]|$)/;
const LIST_ITEM = /^([ \t]*)(?:[-*+]|\d+\.)\s/;
/** Runs that can open or close a formatted span or a link. */
const MARK = /\*+|~~+|`+|==+|\[|(?<!\w)_+|_+(?!\w)/g;

function markdownProblem(markdown: string): string | null {
  let fence = 0;
  let lines = 0;
  let blockLines = 0;
  let blockMarks = 0;
  let marks = 0;
  for (const raw of markdown.split("\n")) {
    const line = raw.trimEnd();
    if (fence > 0) {
      if (CODE_END.test(line) && line.trim().length >= fence) fence = 0;
      continue;
    }
    if (!CODE_SINGLE_LINE.test(line)) {
      const open = CODE_START.exec(line);
      if (open) {
        fence = open[1].trim().length;
        blockLines = blockMarks = 0;
        continue;
      }
    }
    if (line.trim() === "") {
      blockLines = blockMarks = 0;
      continue;
    }
    lines += 1;
    blockLines += 1;
    const found = line.match(MARK)?.length ?? 0;
    blockMarks += found;
    marks += found;
    const indent = LIST_ITEM.exec(line)?.[1];
    if (indent !== undefined && indent.replace(/\t/g, "    ").length > MARKDOWN_MAX_LIST_COLUMN) return TOO_DEEP;
    if (lines * MIN_BYTES_PER_LINE > NOTES_MAX_BYTES) return tooLarge(lines * MIN_BYTES_PER_LINE);
    if (blockLines > MARKDOWN_MAX_BLOCK_LINES) {
      return `A paragraph or list in these notes runs for more than ${MARKDOWN_MAX_BLOCK_LINES} lines without a blank line. Separate it into smaller blocks with blank lines.`;
    }
    if (blockMarks > MARKDOWN_MAX_BLOCK_MARKS) {
      return `A paragraph in these notes has more than ${MARKDOWN_MAX_BLOCK_MARKS} formatting marks (such as **, _ or \`). Split it into smaller paragraphs or use less formatting.`;
    }
    if (marks > MARKDOWN_MAX_MARKS) {
      return `These notes have more than ${MARKDOWN_MAX_MARKS} formatting marks (such as **, _ or \`). Use less formatting, or attach the material as an evidence file.`;
    }
  }
  return null;
}

function fromMarkdown(markdown: string): NotesDocument {
  const problem = markdownProblem(markdown);
  if (problem) fail(problem);
  const { editor, errors } = newEditor();
  editor.update(
    () => {
      $convertFromMarkdownString(markdown, TRANSFORMERS);
    },
    { discrete: true },
  );
  if (errors.length > 0) fail("These notes could not be read as Markdown. Check the formatting and try again.");
  return editor.getEditorState().toJSON();
}

function checked(value: unknown): NotesDocument {
  const parsed = notesDocumentSchema.safeParse(value);
  if (!parsed.success) fail(parsed.error.issues[0]?.message ?? NOT_A_DOCUMENT);
  return parsed.data;
}

/**
 * Notes as a checked Lexical document. Accepts a Lexical serialized editor
 * state, the JSON string of one, or Markdown (any string that is not a JSON
 * object). Throws AppError("unprocessable:notes") with a message a person can
 * act on when the input is empty, too large, or not a notes document.
 */
export function parseNotes(input: unknown): NotesDocument {
  let doc: NotesDocument;
  if (typeof input === "string") {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so this skips encoding huge input.
    if (input.length > NOTES_MAX_BYTES) fail(tooLarge(input.length));
    if (utf8Bytes(input) > NOTES_MAX_BYTES) fail(tooLarge(utf8Bytes(input)));
    if (input.trim() === "") fail(EMPTY);
    let json: unknown;
    try {
      json = JSON.parse(input);
    } catch {
      json = undefined;
    }
    doc = isObject(json) ? normalise(checked(json)) : checked(fromMarkdown(input));
  } else if (isObject(input)) {
    doc = normalise(checked(input));
  } else {
    fail(NOT_A_DOCUMENT);
  }
  if (notesPlainText(doc).trim() === "") fail(EMPTY);
  return doc;
}

// ---------------------------------------------------------------------------
// HTML rendering: an allow-list over the JSON, never the document's own markup.

const ALLOWED_LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The normalised href for an absolute http(s) or mailto URL, else null. */
export function safeLinkHref(url: unknown): string | null {
  if (typeof url !== "string") return null;
  const trimmed = url.trim();
  // Only absolute URLs: relative ones would resolve against wherever the notes are shown.
  if (!/^(https?:\/\/|mailto:)/i.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if (!ALLOWED_LINK_PROTOCOLS.has(parsed.protocol)) return null;
  if (parsed.protocol !== "mailto:" && !parsed.hostname) return null;
  return parsed.href;
}

/** Whether a link to this URL is allowed in notes (http, https, mailto). */
export function isAllowedLinkUrl(url: string): boolean {
  return safeLinkHref(url) !== null;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const TEXT_FORMATS: ReadonlyArray<[bit: number, tag: string]> = [
  // Innermost first, so <code> sits closest to the text.
  [16, "code"],
  [32, "sub"],
  [64, "sup"],
  [4, "s"],
  [8, "u"],
  [2, "em"],
  [1, "strong"],
];

const HEADING_TAGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);

function childrenOf(node: Json): unknown[] {
  return Array.isArray(node.children) ? node.children : [];
}

function formattedText(node: Json): string {
  const text = typeof node.text === "string" ? node.text : "";
  if (text === "") return "";
  let html = escapeHtml(text).replace(/\r?\n/g, "<br>");
  const format = typeof node.format === "number" && Number.isInteger(node.format) ? node.format : 0;
  for (const [bit, tag] of TEXT_FORMATS) {
    if (format & bit) html = `<${tag}>${html}</${tag}>`;
  }
  return html;
}

/** Text inside a code block: plain, with line breaks and tabs kept for <pre>. */
function codeText(node: Json, depth: number): string {
  if (depth > NOTES_MAX_DEPTH) return "";
  switch (node.type) {
    case "text":
    case "code-highlight":
    case "tab":
      return typeof node.text === "string" ? escapeHtml(node.text) : node.type === "tab" ? "\t" : "";
    case "linebreak":
      return "\n";
    default:
      return childrenOf(node)
        .map((c) => (isObject(c) ? codeText(c, depth + 1) : ""))
        .join("");
  }
}

function renderChildren(node: Json, depth: number): string {
  return childrenOf(node)
    .map((c) => renderNode(c, depth + 1))
    .join("");
}

function renderNode(value: unknown, depth: number): string {
  if (depth > NOTES_MAX_DEPTH || !isObject(value)) return "";
  const node = value;
  switch (node.type) {
    case "root":
      return renderChildren(node, depth);
    case "text":
      return formattedText(node);
    case "tab":
      return "\t";
    case "linebreak":
      return "<br>";
    case "paragraph": {
      const inner = renderChildren(node, depth);
      // An empty paragraph is a blank line the author left on purpose.
      return `<p>${inner === "" ? "<br>" : inner}</p>`;
    }
    case "heading": {
      const tag = typeof node.tag === "string" && HEADING_TAGS.has(node.tag) ? node.tag : "p";
      return `<${tag}>${renderChildren(node, depth)}</${tag}>`;
    }
    case "quote":
      return `<blockquote>${renderChildren(node, depth)}</blockquote>`;
    case "list": {
      const ordered = node.listType === "number";
      const start =
        ordered && typeof node.start === "number" && Number.isSafeInteger(node.start) && node.start !== 1 ? ` start="${node.start}"` : "";
      const kind = node.listType === "check" ? ` data-list="check"` : "";
      const tag = ordered ? "ol" : "ul";
      return `<${tag}${start}${kind}>${renderChildren(node, depth)}</${tag}>`;
    }
    case "listitem": {
      const children = childrenOf(node);
      const nestedOnly = children.length > 0 && children.every((c) => isObject(c) && c.type === "list");
      const attrs = nestedOnly ? " data-nested" : "";
      const box = typeof node.checked === "boolean" ? `<input type="checkbox" disabled${node.checked ? " checked" : ""}> ` : "";
      return `<li${attrs}>${box}${renderChildren(node, depth)}</li>`;
    }
    case "code": {
      const language =
        typeof node.language === "string" && /^[A-Za-z0-9_+#.-]{1,32}$/.test(node.language)
          ? ` class="language-${escapeHtml(node.language)}"`
          : "";
      const inner = childrenOf(node)
        .map((c) => (isObject(c) ? codeText(c, depth + 1) : ""))
        .join("");
      return `<pre><code${language}>${inner}</code></pre>`;
    }
    case "code-highlight":
      return typeof node.text === "string" ? `<code>${escapeHtml(node.text)}</code>` : "";
    case "link":
    case "autolink": {
      const inner = renderChildren(node, depth);
      const href = node.isUnlinked === true ? null : safeLinkHref(node.url);
      if (href === null) return inner;
      const title = typeof node.title === "string" && node.title !== "" ? ` title="${escapeHtml(node.title)}"` : "";
      return `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer nofollow" target="_blank">${inner}</a>`;
    }
    default:
      // Unknown types contribute their children only; their own properties are never trusted.
      return renderChildren(node, depth);
  }
}

/**
 * Notes as HTML, built from an allow-list of elements with every text and
 * attribute escaped and links limited to http, https and mailto. Safe for
 * dangerouslySetInnerHTML by construction, whatever the document contains.
 */
export function renderNotesHtml(doc: NotesDocument): string {
  const root = isObject(doc) ? (doc as unknown as Json).root : undefined;
  return isObject(root) ? renderNode({ ...root, type: "root" }, 0) : "";
}

// ---------------------------------------------------------------------------
// Plain text, for search and summaries.

const INLINE_TYPES = new Set(["text", "linebreak", "tab", "link", "autolink", "code-highlight"]);

function inlineText(node: Json, depth: number): string {
  if (depth > NOTES_MAX_DEPTH) return "";
  switch (node.type) {
    case "text":
    case "code-highlight":
      return typeof node.text === "string" ? node.text : "";
    case "linebreak":
      return "\n";
    case "tab":
      return "\t";
    default:
      return childrenOf(node)
        .map((c) => (isObject(c) ? inlineText(c, depth + 1) : ""))
        .join("");
  }
}

/** Lines of a block: runs of inline children joined, nested blocks on their own lines. */
function blockLines(node: Json, depth: number): string[] {
  if (depth > NOTES_MAX_DEPTH) return [];
  const lines: string[] = [];
  let run: string | null = null;
  for (const child of childrenOf(node)) {
    if (!isObject(child)) continue;
    if (typeof child.type === "string" && INLINE_TYPES.has(child.type)) {
      run = (run ?? "") + inlineText(child, depth + 1);
    } else {
      if (run !== null) lines.push(run);
      run = null;
      lines.push(...blockLines(child, depth + 1));
    }
  }
  if (run !== null) lines.push(run);
  return lines;
}

/** The notes' text: one line per paragraph, heading, list item or code line. */
export function notesPlainText(doc: NotesDocument): string {
  const root = isObject(doc) ? (doc as unknown as Json).root : undefined;
  return isObject(root) ? blockLines(root, 0).join("\n") : "";
}
