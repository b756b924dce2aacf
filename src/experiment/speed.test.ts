import { describe, expect, it } from 'vitest';
import { SpeedMeter } from './speed';

describe('SpeedMeter', () => {
  it('steps per second and ms per step over the window; null until two samples span steps and time', () => {
    const meter = new SpeedMeter(2000);
    expect(meter.speed).toBeNull();
    meter.note(0, 0);
    expect(meter.speed).toBeNull();
    meter.note(500, 50);
    expect(meter.speed).toEqual({ stepsPerSecond: 100, msPerStep: 10 });
    for (let ms = 1000; ms <= 6000; ms += 500) meter.note(ms, 50 + ((ms - 500) / 500) * 200); // 400 steps/s from 500 ms on
    expect(meter.speed!.stepsPerSecond).toBeCloseTo(400, 9); // the slow start has left the window
    expect(meter.speed!.msPerStep).toBeCloseTo(2.5, 9);
    meter.reset();
    expect(meter.speed).toBeNull();
    meter.note(0, 10);
    meter.note(100, 10);
    expect(meter.speed).toBeNull(); // no step taken
  });
});
