/**
 * A private OpenLDAP server for integration tests and benchmarks: Debian's
 * slapd with its own cn=config and mdb database in a temp directory, on
 * 127.0.0.1 and a free port. Also builds directory data as LDIF (streamed, so
 * 100,000 users never sit in memory) and bulk-loads it offline with slapadd,
 * which is orders of magnitude faster than adding entries over the protocol.
 *
 * Needs the Debian packages `slapd` and `ldap-utils`, which .ci/run must install.
 */
import { freePort } from "@/db/scratch";
import { execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export const SLAPD = "/usr/sbin/slapd";
const SLAPADD = "/usr/sbin/slapadd";
const LDAPMODIFY = "/usr/bin/ldapmodify";

export const BASE_DN = "dc=example,dc=test";
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;

export interface RunningSlapd {
  url: string;
  /** With `tls: true`: an ldaps:// listener, and the PEM of the CA that signed the server's certificate. */
  ldapsUrl?: string;
  caCert?: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  /** Adds (or, with `changetype: modify`, changes) entries over the protocol via ldapmodify. */
  addLdif(ldif: string): Promise<void>;
  /** Stops the server, slapadds the file into its database, and starts it again on the same port. */
  bulkLoad(ldifPath: string): Promise<void>;
  stop(): Promise<void>;
}

export type SlapdOptions = {
  /**
   * Give the server a certificate (signed by a CA made for the run, for
   * 127.0.0.1) so it speaks StartTLS on its ldap:// port and TLS on an extra
   * ldaps:// port.
   */
  tls?: boolean;
};

export async function startSlapd(options: SlapdOptions = {}): Promise<RunningSlapd> {
  if (!existsSync(SLAPD)) {
    throw new Error(`${SLAPD} is missing: apt-get install -y slapd ldap-utils (DEBIAN_FRONTEND=noninteractive)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "syncledger-slapd-"));
  const cfgDir = path.join(dir, "config");
  const pidFile = path.join(dir, "slapd.pid");
  const bindDn = `cn=admin,${BASE_DN}`;
  const bindPassword = "admin-secret";
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = options.tls ? await freePort() : undefined;
  const ldapsUrl = tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : undefined;
  let caCert: string | undefined;
  let pid = 0;
  // slapd daemonizes: if the test process dies without stop(), take it down too.
  const killOnExit = () => pid && isAlive(pid) && process.kill(pid, "SIGTERM");

  async function start(): Promise<void> {
    // slapd daemonizes once its listener is open; the wait covers the (rare) gap.
    await run(SLAPD, ["-h", [`${url}/`, ldapsUrl ? `${ldapsUrl}/` : ""].join(" ").trim(), "-F", cfgDir]);
    pid = Number((await readFile(pidFile, "utf8")).trim());
    await waitForPort(port);
    if (tlsPort) await waitForPort(tlsPort);
  }

  async function halt(): Promise<void> {
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, "SIGTERM");
    // mdb must be closed before slapadd may open it, so wait for the process to exit.
    for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(25);
  }

  try {
    const dataDir = path.join(dir, "data");
    await mkdir(cfgDir);
    await mkdir(dataDir);
    const tls = options.tls ? await makeCertificates(dir) : undefined;
    caCert = tls ? await readFile(tls.caFile, "utf8") : undefined;
    await writeFile(path.join(dir, "config.ldif"), configLdif({ dataDir, pidFile, bindDn, bindPassword, tls }));
    await run(SLAPADD, ["-n", "0", "-F", cfgDir, "-l", path.join(dir, "config.ldif")]);
    await writeFile(path.join(dir, "base.ldif"), baseLdif());
    await run(SLAPADD, ["-q", "-n", "1", "-F", cfgDir, "-l", path.join(dir, "base.ldif")]);
    await start();
    process.once("exit", killOnExit);
  } catch (error) {
    await halt();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    url,
    ldapsUrl,
    caCert,
    bindDn,
    bindPassword,
    baseDn: BASE_DN,
    async addLdif(ldif) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(LDAPMODIFY, ["-a", "-x", "-H", url, "-D", bindDn, "-w", bindPassword], {
          stdio: ["pipe", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ldapmodify exited with ${code}: ${stderr.trim()}`))));
        child.stdin.end(ldif);
      });
    },
    async bulkLoad(ldifPath) {
      await halt();
      // -q skips consistency checks: the generated data is known to be well formed.
      await run(SLAPADD, ["-q", "-n", "1", "-F", cfgDir, "-l", ldifPath], { maxBuffer: 16 * 1024 * 1024 });
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", killOnExit);
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type TlsFiles = { caFile: string; certFile: string; keyFile: string };

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
async function makeCertificates(dir: string): Promise<TlsFiles> {
  const f = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=SyncLedger Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await run("openssl", ["req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1"]);
  await writeFile(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.crt"),
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
  ]);
  return { caFile: f("ca.crt"), certFile: f("server.crt"), keyFile: f("server.key") };
}

function configLdif(o: { dataDir: string; pidFile: string; bindDn: string; bindPassword: string; tls?: TlsFiles }): string {
  const schemas = ["core", "cosine", "inetorgperson", "nis"].map((name) => `include: file:///etc/ldap/schema/${name}.ldif`).join("\n\n");
  // olcSizeLimit: unlimited on the frontend and the database, so paged searches
  // over very large sets are not cut off at slapd's default of 500 entries.
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${o.pidFile}
olcLogLevel: none${
    o.tls
      ? `
olcTLSCACertificateFile: ${o.tls.caFile}
olcTLSCertificateFile: ${o.tls.certFile}
olcTLSCertificateKeyFile: ${o.tls.keyFile}`
      : ""
  }

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

${schemas}

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: unlimited

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: ${o.dataDir}
olcSuffix: ${BASE_DN}
olcRootDN: ${o.bindDn}
olcRootPW: ${o.bindPassword}
olcSizeLimit: unlimited
olcDbMaxSize: 4294967296
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: entryUUID eq
olcDbIndex: member eq
olcDbIndex: memberUid eq
olcAccess: {0}to * by * read
`;
}

function baseLdif(): string {
  return `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ${PEOPLE_DN}
objectClass: organizationalUnit
ou: people

dn: ${GROUPS_DN}
objectClass: organizationalUnit
ou: groups

`;
}

export interface DirectoryShape {
  users: number;
  /** groupOfNames entries, members referenced by DN. */
  groups: number;
  membershipsPerGroup: number;
  /** posixGroup entries, members referenced by uid (memberUid). */
  posixGroups?: number;
}

export const userUid = (i: number) => `user${String(i).padStart(6, "0")}`;
export const userDn = (i: number) => `uid=${userUid(i)},${PEOPLE_DN}`;
export const groupCn = (i: number) => `group${String(i).padStart(5, "0")}`;
export const posixGroupCn = (i: number) => `posix${String(i).padStart(5, "0")}`;

/**
 * Yields LDIF, one entry per chunk, for users, groupOfNames and posixGroups
 * under ou=people / ou=groups. Group g holds users g*k … g*k+k-1 (mod users),
 * so membership is predictable in tests. Pipe it to a file for bulkLoad, or
 * join a small one for addLdif.
 */
export function* generateDirectoryLdif(shape: DirectoryShape): Generator<string> {
  const { users, groups, membershipsPerGroup: k, posixGroups = 0 } = shape;
  for (let i = 0; i < users; i++) {
    const uid = userUid(i);
    const lines = [
      `dn: ${userDn(i)}`,
      "objectClass: inetOrgPerson",
      `uid: ${uid}`,
      `cn: User ${i}`,
      `sn: Surname${i}`,
      `givenName: Given${i}`,
      `displayName: User ${i}`,
      `mail: ${uid}@example.test`,
      `title: Engineer ${i % 7}`,
      `departmentNumber: D${i % 10}`,
      `employeeNumber: ${100000 + i}`,
    ];
    if (i > 0) lines.push(`manager: ${userDn(0)}`);
    yield `${lines.join("\n")}\n\n`;
  }
  const membersOf = (g: number) => Array.from({ length: Math.min(k, users) }, (_, j) => (g * k + j) % users);
  for (let g = 0; g < groups; g++) {
    const members = membersOf(g).map((i) => `member: ${userDn(i)}`);
    // groupOfNames requires at least one member.
    if (members.length === 0) members.push(`member: ${BASE_DN}`);
    yield `${[
      `dn: cn=${groupCn(g)},${GROUPS_DN}`,
      "objectClass: groupOfNames",
      `cn: ${groupCn(g)}`,
      `description: Group ${g}`,
      ...members,
    ].join("\n")}\n\n`;
  }
  for (let g = 0; g < posixGroups; g++) {
    const members = membersOf(g).map((i) => `memberUid: ${userUid(i)}`);
    yield `${[
      `dn: cn=${posixGroupCn(g)},${GROUPS_DN}`,
      "objectClass: posixGroup",
      `cn: ${posixGroupCn(g)}`,
      `gidNumber: ${10000 + g}`,
      ...members,
    ].join("\n")}\n\n`;
  }
}

/** Streams LDIF chunks to a file (for bulkLoad). */
export async function writeLdif(file: string, chunks: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(file));
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(25);
  }
  throw new Error(`slapd did not start listening on 127.0.0.1:${port}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
