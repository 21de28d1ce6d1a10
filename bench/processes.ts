/**
 * The benchmarks' child processes: the worker (`scripts/worker.ts`) and the
 * ledger witness run as their own processes, as deployed, and their CPU is
 * read from /proc (with their children: tsx runs the script in one).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, name: string) {
  let output = "";
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const file = process.env.BENCH_LOG_DIR
    ? fs.createWriteStream(path.join(process.env.BENCH_LOG_DIR, `${name.replaceAll(" ", "-")}.log`), { flags: "a" })
    : null;
  child.stdout?.on("data", (d) => {
    output = (output + d).slice(-20_000);
    file?.write(d);
  });
  child.stderr?.on("data", (d) => {
    output = (output + d).slice(-20_000);
    file?.write(d);
  });
  return { child, name, log: () => output };
}
export type Proc = ReturnType<typeof startProcess>;

export async function stopProcess(p: { child: ChildProcess } | undefined) {
  if (!p || p.child.exitCode !== null) return;
  p.child.kill("SIGTERM");
  const exited = new Promise((r) => p.child.once("exit", r));
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, procs: Proc[] = []) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited early:\n${p.log()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${procs.length ? `:\n${procs[0].log()}` : ""}`);
}

/** CPU milliseconds a process and its descendants have used (Linux; NaN elsewhere): tsx runs the worker in a child process. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const own = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ 100
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
    return own + children.reduce((a, c) => a + (cpuMs(c) || 0), 0);
  } catch {
    return NaN;
  }
}

/** The processes whose command line names this text (a port, a data directory): PostgreSQL's postmaster, slapd. */
export function pidsNaming(text: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmd.includes(text) && !cmd.includes("postgres:")) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}
export const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + (cpuMs(p) || 0), 0);
