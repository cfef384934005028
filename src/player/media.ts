// The media library: clips live in <mediaDir>/<mode folder>/<level>/, the idle loop in
// <mediaDir>/attract/. Every file is probed once (by path, size and mtime) and broken
// ones are skipped with a warning; picks are random but never repeat any of the last N
// clips of a folder. The folders are watched, so staff can copy clips in while it runs.
import { watch as fsWatch, type Dirent } from 'node:fs';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isPokerfaceError, PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProbeFn, ProbeResult } from './probe.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';

export const VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mkv', '.webm', '.mov', '.avi', '.mpg', '.mpeg', '.ts', '.ogv', '.wmv', '.flv'];
export const ATTRACT_FOLDER = 'attract';

export interface MediaClip {
  /** path to hand to the player: <mediaDir>/<folder>/<level>/<name> */
  file: string;
  name: string;
  durationMs: number;
  width: number;
  height: number;
}

export interface MediaFolderSummary {
  /** folder relative to mediaDir, e.g. "funny/2" */
  folder: string;
  clips: number;
  durationMs: number;
}

export interface MediaSummary {
  dir: string;
  folders: MediaFolderSummary[];
  attract: number;
  total: number;
  /** configured mode/level folders (and attract) that hold no playable clip */
  empty: string[];
  skipped: Array<{ file: string; reason: string }>;
}

/** services.media: what the booth runner and staff interfaces use. */
export interface MediaLibrary {
  /** a random clip for this mode (name from game.modes, or a folder name) and level; null when there is none */
  pick(mode: string, level: number): string | null;
  /** the idle loop clip, or null */
  attract(): string | null;
  /** rescan the folders now */
  reload(): Promise<void>;
  summary(): MediaSummary;
  /** the probed length of a clip the library offered */
  durationMs(clip: string): number | undefined;
}

export interface Watcher {
  close(): void;
}
export type WatchFn = (dir: string, onChange: () => void) => Watcher;

export const watchDir: WatchFn = (dir, onChange) => {
  const w = fsWatch(dir, { persistent: false }, () => onChange());
  w.on('error', () => w.close()); // a deleted folder: the next scan decides what to watch
  return w;
};

export interface FsMediaLibraryOptions {
  dir: string;
  /** mode name → media folder (game.modes[*].media) */
  modes: Readonly<Record<string, string>>;
  /** levels per mode (game.levels.length) */
  levels: number;
  noRepeat: number;
  watch: boolean;
  log: Logger;
  probe: ProbeFn;
  random?: () => number;
  watchFn?: WatchFn;
  timers?: Timers;
  debounceMs?: number;
  /** create missing mode/level and attract folders at start (so staff see where clips go) */
  createFolders?: boolean;
  /**
   * After start, a new or changed file is probed only once it has been left alone (mtime,
   * and with it the size, unchanged) this long: a clip still being copied in is not
   * offered half-written. 0 (the default here) probes at once.
   */
  stableMs?: number;
  /** wall clock (ms since the epoch), compared with file mtimes; default Date.now */
  wallNow?: () => number;
}

interface CacheEntry {
  key: string;
  result: ProbeResult | PokerfaceError;
}

export class FsMediaLibrary implements MediaLibrary {
  readonly name = 'media';
  private folders = new Map<string, MediaClip[]>();
  private attractClips: MediaClip[] = [];
  private byFile = new Map<string, MediaClip>();
  private skipped: Array<{ file: string; reason: string }> = [];
  private readonly cache = new Map<string, CacheEntry>();
  private readonly history = new Map<string, string[]>();
  private readonly watchers = new Map<string, Watcher>();
  private readonly random: () => number;
  private readonly timers: Timers;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private debounce: TimerHandle | null = null;
  private settleTimer: TimerHandle | null = null;
  /** true once the start scan is done: files copied in later must settle first */
  private settled = false;
  private running = false;

  constructor(private readonly opts: FsMediaLibraryOptions) {
    this.random = opts.random ?? Math.random;
    this.timers = opts.timers ?? systemTimers;
  }

  get root(): string {
    return path.resolve(this.opts.dir);
  }

  async start(): Promise<void> {
    this.running = true;
    this.settled = false;
    if (this.opts.createFolders) await this.createFolders();
    await this.reload();
    this.settled = true;
    const s = this.summary();
    for (const folder of s.empty) {
      this.opts.log.warn(
        { folder: path.join(this.root, folder) },
        `no playable clips in ${path.join(this.opts.dir, folder)}: copy video files there or run \`pokerface media make-demo\``,
      );
    }
    this.opts.log.info({ dir: this.root, total: s.total, attract: s.attract, skipped: s.skipped.length }, 'media library loaded');
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.settleTimer) this.timers.clearTimeout(this.settleTimer);
    this.settleTimer = null;
    if (this.debounce) this.timers.clearTimeout(this.debounce);
    this.debounce = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.scanning?.catch(() => undefined);
  }

  pick(mode: string, level: number): string | null {
    const folder = `${this.opts.modes[mode] ?? mode}/${level}`;
    const clips = this.folders.get(folder) ?? [];
    if (clips.length === 0) return null;
    const present = new Set(clips.map((c) => c.file));
    const hist = (this.history.get(folder) ?? []).filter((f) => present.has(f));
    const n = Math.min(this.opts.noRepeat, clips.length - 1);
    const avoid = new Set(n > 0 ? hist.slice(-n) : []);
    const candidates = clips.filter((c) => !avoid.has(c.file));
    const choice = candidates[Math.min(candidates.length - 1, Math.floor(this.random() * candidates.length))] as MediaClip;
    hist.push(choice.file);
    this.history.set(folder, hist.slice(-100));
    return choice.file;
  }

  attract(): string | null {
    const list = this.attractClips;
    if (list.length === 0) return null;
    return (list[Math.min(list.length - 1, Math.floor(this.random() * list.length))] as MediaClip).file;
  }

  durationMs(clip: string): number | undefined {
    return this.byFile.get(clip)?.durationMs;
  }

  /** every playable clip with its folder ("funny/2"), for the staff console */
  clips(): Array<{ folder: string; clip: MediaClip }> {
    const out: Array<{ folder: string; clip: MediaClip }> = [];
    for (const [folder, list] of this.folders) for (const clip of list) out.push({ folder, clip });
    return out;
  }

  summary(): MediaSummary {
    const folders = [...this.folders.entries()]
      .map(([folder, clips]) => ({ folder, clips: clips.length, durationMs: clips.reduce((a, c) => a + c.durationMs, 0) }))
      .sort((a, b) => a.folder.localeCompare(b.folder));
    const empty = this.expectedFolders().filter((f) => (f === ATTRACT_FOLDER ? this.attractClips.length === 0 : (this.folders.get(f)?.length ?? 0) === 0));
    return {
      dir: this.root,
      folders,
      attract: this.attractClips.length,
      total: folders.reduce((a, f) => a + f.clips, 0),
      empty,
      skipped: [...this.skipped],
    };
  }

  /** Rescan now; calls made while a scan runs share one follow-up scan. */
  reload(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.rescan = false;
        await this.scan();
      } while (this.rescan);
    })().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  // ------------------------------------------------------------------ scanning

  private expectedFolders(): string[] {
    const out: string[] = [];
    for (const folder of new Set(Object.values(this.opts.modes))) {
      for (let l = 1; l <= this.opts.levels; l++) out.push(`${folder}/${l}`);
    }
    out.push(ATTRACT_FOLDER);
    return out;
  }

  private async createFolders(): Promise<void> {
    for (const f of this.expectedFolders()) {
      try {
        await mkdir(path.join(this.root, f), { recursive: true });
      } catch (e) {
        this.opts.log.warn({ folder: path.join(this.root, f), err: (e as Error).message }, 'cannot create media folder');
      }
    }
  }

  private async scan(): Promise<void> {
    const root = this.root;
    const folders = new Map<string, MediaClip[]>();
    const skipped: Array<{ file: string; reason: string }> = [];
    const watchDirs = new Set<string>();
    let realRoot: string;
    try {
      realRoot = await realpath(root);
      watchDirs.add(root);
    } catch (e) {
      this.opts.log.warn({ dir: root, err: (e as Error).message }, 'media folder is missing or unreadable');
      this.swap(folders, [], skipped);
      this.updateWatchers(watchDirs);
      return;
    }
    for (const top of await this.dirs(root)) {
      const topDir = path.join(root, top);
      watchDirs.add(topDir);
      if (top === ATTRACT_FOLDER) continue;
      for (const level of await this.dirs(topDir)) {
        if (!/^[1-9][0-9]*$/.test(level)) continue;
        const levelDir = path.join(topDir, level);
        watchDirs.add(levelDir);
        folders.set(`${top}/${level}`, await this.clipsIn(levelDir, realRoot, skipped));
      }
    }
    const attract = watchDirs.has(path.join(root, ATTRACT_FOLDER)) ? await this.clipsIn(path.join(root, ATTRACT_FOLDER), realRoot, skipped) : [];
    this.swap(folders, attract, skipped);
    this.updateWatchers(watchDirs);
  }

  private swap(folders: Map<string, MediaClip[]>, attract: MediaClip[], skipped: Array<{ file: string; reason: string }>): void {
    const total = (m: Map<string, MediaClip[]>, a: MediaClip[]): number => [...m.values()].reduce((n, c) => n + c.length, a.length);
    const before = total(this.folders, this.attractClips);
    const after = total(folders, attract);
    if (this.settled && before !== after) this.opts.log.info({ dir: this.root, total: after, before }, 'media library changed');
    this.folders = folders;
    this.attractClips = attract;
    this.skipped = skipped;
    this.byFile = new Map([...folders.values(), attract].flat().map((c) => [c.file, c]));
  }

  /** Sub-folders of dir (following symlinks; a loop or dangling link is skipped). */
  private async dirs(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const ent of await this.list(dir)) {
      if (ent.name.startsWith('.')) continue;
      if (ent.isDirectory()) out.push(ent.name);
      else if (ent.isSymbolicLink()) {
        const st = await stat(path.join(dir, ent.name)).catch(() => null);
        if (st?.isDirectory()) out.push(ent.name);
      }
    }
    return out.sort();
  }

  private async list(dir: string): Promise<Dirent[]> {
    try {
      return await readdir(dir, { withFileTypes: true });
    } catch (e) {
      this.opts.log.warn({ dir, err: (e as Error).message }, 'cannot read media folder');
      return [];
    }
  }

  private async clipsIn(dir: string, realRoot: string, skipped: Array<{ file: string; reason: string }>): Promise<MediaClip[]> {
    const clips: MediaClip[] = [];
    for (const ent of await this.list(dir)) {
      const file = path.join(dir, ent.name);
      if (ent.name.startsWith('.') || !VIDEO_EXTENSIONS.includes(path.extname(ent.name).toLowerCase())) continue;
      if (!ent.isFile() && !ent.isSymbolicLink()) continue;
      const skip = (reason: string, code: string): void => {
        skipped.push({ file, reason });
        this.warnOnce(file, reason, code);
      };
      let real: string;
      try {
        real = await realpath(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        skip(code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'dangling symlink' : (e as Error).message, 'POKERFACE_ERR_MEDIA_UNPLAYABLE');
        continue;
      }
      const rel = path.relative(realRoot, real);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        skip(`points outside the media folder (${real})`, 'POKERFACE_ERR_MEDIA_OUTSIDE');
        continue;
      }
      const st = await stat(real).catch(() => null);
      if (!st?.isFile()) {
        skip('not a regular file', 'POKERFACE_ERR_MEDIA_UNPLAYABLE');
        continue;
      }
      const key = `${st.size}:${st.mtimeMs}`;
      const stableMs = this.opts.stableMs ?? 0;
      const age = (this.opts.wallNow ?? Date.now)() - st.mtimeMs;
      if (this.settled && stableMs > 0 && age < stableMs && this.cache.get(real)?.key !== key) {
        this.opts.log.debug({ file, waitMs: Math.ceil(stableMs - age) }, 'clip is still changing; probing it once it has settled');
        this.rescanIn(stableMs - age);
        continue;
      }
      const result = await this.probeOnce(real, key);
      if (result instanceof PokerfaceError) {
        skip(result.message, result.code);
        continue;
      }
      clips.push({ file, name: ent.name, durationMs: result.durationMs, width: result.width, height: result.height });
    }
    return clips.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async probeOnce(real: string, key: string): Promise<ProbeResult | PokerfaceError> {
    const hit = this.cache.get(real);
    if (hit && hit.key === key) return hit.result;
    let result: ProbeResult | PokerfaceError;
    try {
      result = await this.opts.probe(real);
    } catch (e) {
      result = isPokerfaceError(e) ? e : new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${real}: ${(e as Error).message}`, { cause: e });
    }
    this.cache.set(real, { key, result });
    return result;
  }

  private readonly warned = new Map<string, string>();
  private warnOnce(file: string, reason: string, code: string): void {
    if (this.warned.get(file) === reason) return;
    this.warned.set(file, reason);
    this.opts.log.warn({ code, file }, `skipping clip: ${reason}`);
  }

  private updateWatchers(dirs: Set<string>): void {
    if (!this.opts.watch || !this.running) return;
    const watchFn = this.opts.watchFn ?? watchDir;
    for (const [dir, w] of this.watchers) {
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        this.watchers.set(dir, watchFn(dir, () => this.changed()));
      } catch (e) {
        this.opts.log.warn({ dir, err: (e as Error).message }, 'cannot watch media folder; use reload');
      }
    }
  }

  /** A rescan once a file still being written has had time to settle (fs.watch says nothing more once writing stops). */
  private rescanIn(ms: number): void {
    if (!this.running || this.settleTimer) return;
    this.settleTimer = this.timers.setTimeout(
      () => {
        this.settleTimer = null;
        if (!this.running) return;
        this.reload().catch((e: unknown) => this.opts.log.error({ err: e }, 'media rescan failed'));
      },
      Math.max(50, Math.ceil(ms) + 50),
    );
  }

  private changed(): void {
    if (!this.running) return;
    if (this.debounce) this.timers.clearTimeout(this.debounce);
    this.debounce = this.timers.setTimeout(() => {
      this.debounce = null;
      if (!this.running) return;
      this.reload().catch((e: unknown) => this.opts.log.error({ err: e }, 'media rescan failed'));
    }, this.opts.debounceMs ?? 500);
  }
}
