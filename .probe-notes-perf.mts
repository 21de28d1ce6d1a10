import { parseNotes } from "./lib/evidence/notes.ts";
parseNotes("warm *up*");
const cases: [string, string][] = [["bold", "**a** "], ["mixed", "**a** *b* `c` ~~d~~ "], ["link", "[d](https://e.f) "], ["code", "`c` "], ["stars", "*"], ["lines", "some text line\n"], ["listlines", "- **a** *b*\n"], ["unmatched", "**a "]];
for (const [name, unit] of cases) {
  for (const size of [5000, 10000, 20000]) {
    const md = unit.repeat(Math.floor(size / unit.length));
    const t = performance.now();
    let r = "ok";
    try { parseNotes(md); } catch (e) { r = (e as Error).message.slice(0, 30); }
    console.log(name, md.length, Math.round(performance.now() - t) + "ms", r);
  }
}
