// services.buttons: every configured backend plus virtual buttons behind one
// ButtonSource. A backend that cannot reach its hardware reports it in health() and
// keeps retrying; the others keep working.
import type { Logger } from '../log.js';
import type { ButtonEvent, ButtonName, ButtonSource, ControlsHealth, LightMode, ModuleHealth, VirtualButtons } from '../types.js';
import { Listeners } from '../listeners.js';
import type { VirtualButtonSource } from './virtual.js';

export class Controls implements ButtonSource, VirtualButtons {
  readonly name = 'controls';
  private readonly listeners: Listeners<ButtonEvent>;
  private readonly wanted: Partial<Record<ButtonName, LightMode>> = {};
  private readonly started: ButtonSource[] = [];
  private wired = false;
  private running = false;

  constructor(
    private readonly backends: ButtonSource[],
    private readonly virtual: VirtualButtonSource,
    private readonly log: Logger,
  ) {
    this.listeners = new Listeners(log, 'button');
  }

  onButton(cb: (e: ButtonEvent) => void): void {
    this.listeners.add(cb);
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.wired) {
      this.wired = true;
      for (const b of this.all()) b.onButton((e) => this.forward(e));
    }
    this.running = true;
    try {
      for (const b of this.all()) {
        await b.start();
        this.started.push(b);
      }
    } catch (e) {
      this.running = false;
      await this.stopStarted();
      throw e;
    }
    this.setLights(this.wanted);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopStarted();
  }

  pressVirtual(name: ButtonName, kind: 'press' | 'hold' = 'press'): void {
    this.virtual.pressVirtual(name, kind);
  }

  setLights(lights: Partial<Record<ButtonName, LightMode>>): void {
    Object.assign(this.wanted, lights);
    for (const b of this.backends) b.setLights(lights);
  }

  /** the light modes last asked for (for status pages) */
  lights(): Partial<Record<ButtonName, LightMode>> {
    return { ...this.wanted };
  }

  health(): ControlsHealth {
    const backends = this.all().flatMap((b) => b.health().backends);
    return { healthy: backends.every((b) => b.state !== 'failed'), backends };
  }

  /** controls as the daemon's health list shows it: unhealthy when a backend failed, with why */
  moduleHealth(): ModuleHealth {
    const h = this.health();
    const reasons = h.backends.filter((b) => b.state === 'failed').map((b) => `${b.name}: ${b.error ?? 'failed'}`);
    if (reasons.length > 0) reasons.push('virtual buttons (REST/MQTT) and any other backend still work');
    return { name: this.name, healthy: h.healthy, reasons };
  }

  private all(): ButtonSource[] {
    return [...this.backends, this.virtual];
  }

  private forward(e: ButtonEvent): void {
    if (!this.running) return;
    this.log.debug({ button: e.name, kind: e.kind, source: e.source, ts: e.ts }, 'button');
    this.listeners.emit(e);
  }

  private async stopStarted(): Promise<void> {
    while (this.started.length > 0) {
      const b = this.started.pop() as ButtonSource;
      try {
        await b.stop();
      } catch (e) {
        this.log.error({ err: e }, 'button backend failed to stop');
      }
    }
  }
}
