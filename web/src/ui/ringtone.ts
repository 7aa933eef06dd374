/**
 * Call sounds made with Web Audio (no audio files to load): a two-note ringtone for incoming calls
 * and the classic ringback tone while an outgoing call rings. `data-ringtone` on <body> says what
 * plays, so tests (and curious users) can see it.
 */
export type Tone = 'incoming' | 'ringback';

const PATTERN_MS: Record<Tone, number> = { incoming: 2_000, ringback: 4_000 };

export class Ringtone {
  private context: AudioContext | undefined;
  private playing: Tone | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private output: GainNode | undefined;

  /** Creates (or wakes) the audio context; call from a click so browsers allow sound later. */
  unlock(): void {
    try {
      this.context ??= new AudioContext();
      if (this.context.state === 'suspended') void this.context.resume();
    } catch {
      // No Web Audio: calls work silently.
    }
  }

  get tone(): Tone | undefined {
    return this.playing;
  }

  play(tone: Tone): void {
    if (this.playing === tone) return;
    this.stop();
    this.playing = tone;
    document.body.dataset.ringtone = tone;
    this.unlock();
    const context = this.context;
    if (!context) return;
    this.output = context.createGain();
    this.output.gain.value = tone === 'incoming' ? 0.18 : 0.08;
    this.output.connect(context.destination);
    const ring = () => (tone === 'incoming' ? this.chime() : this.ringback());
    ring();
    this.timer = setInterval(ring, PATTERN_MS[tone]);
  }

  stop(): void {
    if (!this.playing) return;
    this.playing = undefined;
    delete document.body.dataset.ringtone;
    clearInterval(this.timer);
    this.timer = undefined;
    const output = this.output;
    this.output = undefined;
    if (output && this.context) {
      // A short fade instead of a click.
      output.gain.setTargetAtTime(0, this.context.currentTime, 0.02);
      setTimeout(() => output.disconnect(), 200);
    }
  }

  /** Two soft notes, twice: E6 then B5, with a bell-like decay. */
  private chime(): void {
    const notes: [number, number][] = [
      [1318.5, 0],
      [987.8, 0.18],
      [1318.5, 0.5],
      [987.8, 0.68],
    ];
    for (const [frequency, offset] of notes) this.note(frequency, offset, 0.45, 'sine');
  }

  /** 440 + 480 Hz for two seconds: what a phone line sounds like while the other side rings. */
  private ringback(): void {
    this.note(440, 0, 2, 'sine', 0.5);
    this.note(480, 0, 2, 'sine', 0.5);
  }

  private note(frequency: number, offset: number, duration: number, type: OscillatorType, level = 1): void {
    const context = this.context;
    const output = this.output;
    if (!context || !output) return;
    const start = context.currentTime + offset;
    const oscillator = context.createOscillator();
    const envelope = context.createGain();
    oscillator.type = type;
    oscillator.frequency.value = frequency;
    envelope.gain.setValueAtTime(0, start);
    envelope.gain.linearRampToValueAtTime(level, start + 0.01);
    envelope.gain.exponentialRampToValueAtTime(0.001, start + duration);
    oscillator.connect(envelope).connect(output);
    oscillator.start(start);
    oscillator.stop(start + duration + 0.05);
  }
}
