// Presses from the REST API, MQTT requests and HIL scripts. They take the same path as a
// physical button: the same ButtonEvent reaches the same listeners.
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import { BUTTONS, type ButtonEvent, type ButtonName, type ButtonSource, type Clock, type ControlsHealth, type LightMode, type VirtualButtons } from '../types.js';
import { Listeners } from '../listeners.js';

export function isButtonName(name: unknown): name is ButtonName {
  return typeof name === 'string' && (BUTTONS as readonly string[]).includes(name);
}

export class VirtualButtonSource implements ButtonSource, VirtualButtons {
  readonly name = 'virtual';
  private readonly listeners: Listeners<ButtonEvent>;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.listeners = new Listeners(log, 'button');
  }

  onButton(cb: (e: ButtonEvent) => void): void {
    this.listeners.add(cb);
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /**
   * A press or a hold, at once. A virtual hold is only the hold (no press before it):
   * hold on start is the staff "back to attract". Throws POKERFACE_ERR_UNKNOWN_BUTTON for
   * a name that is not a button; ignored (logged) while stopped.
   */
  pressVirtual(name: ButtonName, kind: 'press' | 'hold' = 'press'): void {
    if (!isButtonName(name)) throw new PokerfaceError('POKERFACE_ERR_UNKNOWN_BUTTON', `${String(name)} (known: ${BUTTONS.join(', ')})`);
    if (kind !== 'press' && kind !== 'hold') throw new PokerfaceError('POKERFACE_ERR_UNKNOWN_BUTTON', `kind ${String(kind)} (press or hold)`);
    if (!this.running) {
      this.log.warn({ button: name, kind }, 'virtual button ignored: controls not running');
      return;
    }
    this.listeners.emit({ name, kind, ts: this.clock.now(), source: 'virtual' });
  }

  setLights(_lights: Partial<Record<ButtonName, LightMode>>): void {
    // virtual buttons have no lamps; the composite keeps the wanted state for status
  }

  health(): ControlsHealth {
    return { healthy: this.running, backends: [{ name: this.name, state: this.running ? 'ok' : 'failed', ...(this.running ? {} : { error: 'not running' }) }] };
  }
}
