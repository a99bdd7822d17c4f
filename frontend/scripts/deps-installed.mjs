// Exit 0 when node_modules holds every package of package-lock.json at its locked version, 1
// otherwise (then `npm ci` is due). It compares contents, not file dates: a checkout rewrites
// package-lock.json without changing it, and several checkouts may share one node_modules.
import { existsSync, readFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const missing = Object.entries(lock.packages)
  .filter(([path, meta]) => path.startsWith("node_modules/") && !meta.optional && !meta.link)
  .filter(([path, meta]) => {
    const manifest = `${path}/package.json`;
    return !existsSync(manifest) || JSON.parse(readFileSync(manifest, "utf8")).version !== meta.version;
  })
  .map(([path]) => path);
if (missing.length) {
  console.error(`node_modules lacks ${missing.length} locked package(s), e.g. ${missing[0]}: installing.`);
  process.exit(1);
}
