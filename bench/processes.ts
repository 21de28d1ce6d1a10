/**
 * The benchmarks' child processes: the worker (`scripts/worker.ts`) and the
 * ledger witness run as their own processes, as deployed, and their CPU is
 * read from /proc (with their children: tsx runs the script in one).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type postgres from "postgres";

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

/**
 * What the database is busy with while a benchmark runs: pg_stat_activity sampled every 20 ms,
 * the active statements counted by their first words. A poor man's profile of the engine.
 */
export function sampleStatements(owner: postgres.Sql) {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await owner<{ query: string; wait: string | null }[]>`
        select regexp_replace(left(query, 90), '[[:space:]]+', ' ', 'g') as query, wait_event_type || ':' || wait_event as wait
          from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and datname = current_database()`;
      samples++;
      for (const r of rows) {
        const key = `${r.wait ?? "cpu"}  ${r.query}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
      return `    active statements over ${samples} samples (mean busy backends ${([...counts.values()].reduce((a, b) => a + b, 0) / samples).toFixed(2)}):\n${top.map(([k, v]) => `    ${(v / samples).toFixed(2).padStart(5)}  ${k}`).join("\n")}`;
    },
  };
}

/**
 * A ledger witness (scripts/ledger-witness.ts) of its own, for the logs named by `logKeys`,
 * listed as this process's only witness (LEDGER_WITNESSES_FILE, quorum 1: call resetConfigCache
 * afterwards). Processes started later with process.env use it too.
 */
export async function startWitness(logKeys: string[]): Promise<Proc> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-witness-"));
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const args = ["--tsconfig", "tsconfig.scripts.json", "scripts/ledger-witness.ts", "--data", dir, "--port", "0", "--host", "127.0.0.1"];
  const witness = startProcess(
    tsx,
    [...args, "--name", "auditor.bench/witness", ...logKeys.flatMap((k) => ["--log", k])],
    process.env,
    "witness",
  );
  await waitFor("the witness", async () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(witness.log()), 60_000, [witness]).catch(
    async (e) => {
      await stopProcess(witness);
      throw e;
    },
  );
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(witness.log())![1];
  const key = /^verifier key: (\S+)$/m.exec(witness.log())![1];
  const file = path.join(dir, "witnesses.txt");
  fs.writeFileSync(file, `${url} ${key}\n`);
  Object.assign(process.env, { LEDGER_WITNESSES_FILE: file, LEDGER_WITNESS_QUORUM: "1" });
  return witness;
}
