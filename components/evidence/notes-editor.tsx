"use client";

/**
 * The rich-text notes field of an evidence record: headings, emphasis, lists,
 * links and code blocks, with Markdown shortcuts (`# `, `- `, `**bold**`…).
 * Its value is the Lexical serialized editor state the server checks with
 * parseNotes, or null when nothing is written.
 */
import { useCallback, useEffect, useState } from "react";
import {
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  $getSelection,
  $isRangeSelection,
  $isRootOrShadowRoot,
  FORMAT_TEXT_COMMAND,
  type EditorState,
  type EditorThemeClasses,
  type ElementNode,
  type LexicalEditor,
} from "lexical";
import { LexicalComposer, type InitialConfigType } from "@lexical/react/LexicalComposer";
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { ContentEditable } from "@lexical/react/LexicalContentEditable";
import { LexicalErrorBoundary } from "@lexical/react/LexicalErrorBoundary";
import { HistoryPlugin } from "@lexical/react/LexicalHistoryPlugin";
import { LinkPlugin } from "@lexical/react/LexicalLinkPlugin";
import { ListPlugin } from "@lexical/react/LexicalListPlugin";
import { MarkdownShortcutPlugin } from "@lexical/react/LexicalMarkdownShortcutPlugin";
import { OnChangePlugin } from "@lexical/react/LexicalOnChangePlugin";
import { RichTextPlugin } from "@lexical/react/LexicalRichTextPlugin";
import { $createHeadingNode, $isHeadingNode } from "@lexical/rich-text";
import { $isListNode, INSERT_ORDERED_LIST_COMMAND, INSERT_UNORDERED_LIST_COMMAND, ListNode, REMOVE_LIST_COMMAND } from "@lexical/list";
import { $createLinkNode, $isLinkNode, TOGGLE_LINK_COMMAND } from "@lexical/link";
import { $createCodeNode, $isCodeNode } from "@lexical/code";
import { CHECK_LIST, TRANSFORMERS } from "@lexical/markdown";
import { $setBlocksType } from "@lexical/selection";
import { $findMatchingParent, $getNearestNodeOfType, mergeRegister } from "@lexical/utils";
import { Bold, Code2, Heading1, Heading2, Italic, Link2, List, ListOrdered, Pilcrow } from "lucide-react";
import { Button } from "@/components/ui/button";
import { NOTES_NODES, isAllowedLinkUrl, type NotesDocument } from "@/lib/evidence/notes";
import { cn } from "@/lib/utils";

const PLACEHOLDER = "Add notes: what was reviewed, by whom, and why…";

// Check lists have no toolbar button or checkbox behaviour here; `- [ ]` stays a bullet.
const SHORTCUTS = TRANSFORMERS.filter((t) => t !== CHECK_LIST);

const theme: EditorThemeClasses = {
  paragraph: "my-1",
  heading: { h1: "mt-2 mb-1 text-xl font-semibold", h2: "mt-2 mb-1 text-lg font-semibold" },
  quote: "my-1 border-l-2 pl-3 text-muted-foreground",
  list: {
    ul: "my-1 list-disc pl-6",
    ol: "my-1 list-decimal pl-6",
    listitem: "my-0.5",
    nested: { listitem: "list-none" },
  },
  link: "text-primary underline underline-offset-2",
  text: {
    bold: "font-bold",
    italic: "italic",
    underline: "underline",
    strikethrough: "line-through",
    code: "rounded bg-muted px-1 font-mono text-sm",
  },
  code: "my-1 block overflow-x-auto whitespace-pre rounded bg-muted p-2 font-mono text-sm",
};

type BlockType = "paragraph" | "h1" | "h2" | "bullet" | "number" | "code" | "other";

type ToolbarState = { block: BlockType; bold: boolean; italic: boolean; link: boolean };

const IDLE: ToolbarState = { block: "paragraph", bold: false, italic: false, link: false };

/** What the caret is in, for the toolbar's pressed states. */
function $readToolbarState(): ToolbarState {
  const selection = $getSelection();
  if (!$isRangeSelection(selection)) return IDLE;
  const anchor = selection.anchor.getNode();
  const top =
    anchor.getKey() === "root"
      ? anchor
      : ($findMatchingParent(anchor, (node) => {
          const parent = node.getParent();
          return parent !== null && $isRootOrShadowRoot(parent);
        }) ?? anchor.getTopLevelElementOrThrow());
  let block: BlockType = "other";
  if ($isListNode(top)) {
    const list = $getNearestNodeOfType(anchor, ListNode) ?? top;
    const type = list.getListType();
    block = type === "bullet" || type === "number" ? type : "other";
  } else if ($isHeadingNode(top)) {
    const tag = top.getTag();
    block = tag === "h1" || tag === "h2" ? tag : "other";
  } else if ($isCodeNode(top)) {
    block = "code";
  } else if (top.getType() === "paragraph") {
    block = "paragraph";
  }
  const focus = selection.focus.getNode();
  const link = $findMatchingParent(anchor, $isLinkNode) !== null || $findMatchingParent(focus, $isLinkNode) !== null;
  return { block, bold: selection.hasFormat("bold"), italic: selection.hasFormat("italic"), link };
}

function setBlock(editor: LexicalEditor, create: () => ElementNode) {
  editor.update(() => {
    const selection = $getSelection();
    if ($isRangeSelection(selection)) $setBlocksType(selection, create);
  });
}

function Toolbar({ disabled, label }: { disabled: boolean; label: string }) {
  const [editor] = useLexicalComposerContext();
  const [state, setState] = useState<ToolbarState>(IDLE);
  const [linkError, setLinkError] = useState<string | null>(null);

  useEffect(
    () =>
      mergeRegister(
        editor.registerUpdateListener(({ editorState }) => {
          editorState.read(() => setState($readToolbarState()), { editor });
        }),
      ),
    [editor],
  );

  const heading = useCallback(
    (tag: "h1" | "h2") => setBlock(editor, () => (state.block === tag ? $createParagraphNode() : $createHeadingNode(tag))),
    [editor, state.block],
  );

  const list = useCallback(
    (type: "bullet" | "number") => {
      if (state.block === type) editor.dispatchCommand(REMOVE_LIST_COMMAND, undefined);
      else editor.dispatchCommand(type === "bullet" ? INSERT_UNORDERED_LIST_COMMAND : INSERT_ORDERED_LIST_COMMAND, undefined);
    },
    [editor, state.block],
  );

  const link = useCallback(() => {
    setLinkError(null);
    if (state.link) {
      editor.dispatchCommand(TOGGLE_LINK_COMMAND, null);
      return;
    }
    const answer = window.prompt("Link address (http, https or mailto):", "https://");
    if (answer === null) return;
    const url = answer.trim();
    if (!isAllowedLinkUrl(url)) {
      setLinkError("Links must start with http://, https:// or mailto:.");
      return;
    }
    editor.update(() => {
      const selection = $getSelection();
      if (!$isRangeSelection(selection)) return;
      if (selection.isCollapsed()) {
        // Nothing selected to turn into a link: insert the address itself as one.
        selection.insertNodes([$createLinkNode(url).append($createTextNode(url))]);
      } else {
        editor.dispatchCommand(TOGGLE_LINK_COMMAND, url);
      }
    });
  }, [editor, state.link]);

  const buttons: Array<{ label: string; icon: typeof Bold; pressed?: boolean; onClick: () => void }> = [
    { label: "Heading 1", icon: Heading1, pressed: state.block === "h1", onClick: () => heading("h1") },
    { label: "Heading 2", icon: Heading2, pressed: state.block === "h2", onClick: () => heading("h2") },
    {
      label: "Paragraph",
      icon: Pilcrow,
      pressed: state.block === "paragraph",
      onClick: () => setBlock(editor, () => $createParagraphNode()),
    },
    { label: "Bold", icon: Bold, pressed: state.bold, onClick: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, "bold") },
    { label: "Italic", icon: Italic, pressed: state.italic, onClick: () => editor.dispatchCommand(FORMAT_TEXT_COMMAND, "italic") },
    { label: "Bulleted list", icon: List, pressed: state.block === "bullet", onClick: () => list("bullet") },
    { label: "Numbered list", icon: ListOrdered, pressed: state.block === "number", onClick: () => list("number") },
    { label: state.link ? "Remove link" : "Link", icon: Link2, pressed: state.link, onClick: link },
    {
      label: "Code block",
      icon: Code2,
      pressed: state.block === "code",
      onClick: () => setBlock(editor, () => (state.block === "code" ? $createParagraphNode() : $createCodeNode())),
    },
  ];

  return (
    <>
      <div role="toolbar" aria-label={`Formatting for ${label}`} className="flex flex-wrap items-center gap-0.5 border-b p-1">
        {buttons.map(({ label: name, icon: Icon, pressed, onClick }) => (
          <Button
            key={name}
            type="button"
            variant="ghost"
            size="icon"
            className="size-8 aria-pressed:bg-accent aria-pressed:text-accent-foreground"
            aria-label={name}
            title={name}
            aria-pressed={pressed}
            disabled={disabled}
            // Keep the editor's selection: a toolbar click must not take focus from the text.
            onMouseDown={(e) => e.preventDefault()}
            onClick={onClick}
          >
            <Icon aria-hidden="true" />
          </Button>
        ))}
      </div>
      {linkError ? (
        <p role="alert" className="px-3 pt-2 text-sm text-destructive">
          {linkError}
        </p>
      ) : null}
    </>
  );
}

/** Keeps the editor's editable flag in step with the `disabled` prop after mount. */
function EditablePlugin({ editable }: { editable: boolean }) {
  const [editor] = useLexicalComposerContext();
  useEffect(() => editor.setEditable(editable), [editor, editable]);
  return null;
}

export function NotesEditor({
  id,
  label,
  initial,
  onChange,
  disabled = false,
}: {
  id: string;
  label: string;
  initial?: NotesDocument | null;
  onChange: (doc: NotesDocument | null) => void;
  disabled?: boolean;
}) {
  // Read once on mount, as LexicalComposer does.
  const [initialConfig] = useState<InitialConfigType>(() => ({
    namespace: "evidence-notes",
    nodes: [...NOTES_NODES],
    theme,
    editable: !disabled,
    editorState: initial ? JSON.stringify(initial) : undefined,
    onError: (error) => {
      throw error;
    },
  }));

  const handleChange = useCallback(
    (editorState: EditorState) => {
      const empty = editorState.read(() => $getRoot().getTextContent().trim() === "");
      onChange(empty ? null : editorState.toJSON());
    },
    [onChange],
  );

  return (
    <LexicalComposer initialConfig={initialConfig}>
      <div
        data-slot="notes-editor"
        className={cn(
          "w-full rounded-md border border-input bg-transparent shadow-xs transition-[color,box-shadow] dark:bg-input/30",
          "focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50",
          disabled && "cursor-not-allowed opacity-50",
        )}
      >
        <Toolbar disabled={disabled} label={label} />
        <div className="relative">
          <RichTextPlugin
            contentEditable={
              <ContentEditable
                id={id}
                aria-label={label}
                role="textbox"
                aria-multiline="true"
                aria-placeholder={PLACEHOLDER}
                placeholder={
                  <div className="pointer-events-none absolute top-2 left-3 text-base text-muted-foreground select-none md:text-sm">
                    {PLACEHOLDER}
                  </div>
                }
                className="min-h-32 px-3 py-2 text-base outline-none md:text-sm"
              />
            }
            ErrorBoundary={LexicalErrorBoundary}
          />
        </div>
        <HistoryPlugin />
        <ListPlugin />
        <LinkPlugin validateUrl={isAllowedLinkUrl} attributes={{ rel: "noopener noreferrer nofollow", target: "_blank" }} />
        <MarkdownShortcutPlugin transformers={SHORTCUTS} />
        <OnChangePlugin ignoreSelectionChange onChange={handleChange} />
        <EditablePlugin editable={!disabled} />
      </div>
    </LexicalComposer>
  );
}
