import { test } from 'node:test';
import assert from 'node:assert/strict';
import { max5data, time2str, meterLine, barLine, ProgressMeter, ProgressBar, METER_HEADER } from '../../src/cli/progress.js';

// Expected strings captured from curl 7.88.1 (stderr of a --limit-like slow local server).
test('meter lines match curl byte for byte', () => {
  assert.equal(meterLine({ dlTotal: 0, dlNow: 0, ulTotal: 0, ulNow: 0, elapsedUs: 0, currentSpeed: 0 }),
    '\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0');
  assert.equal(meterLine({ dlTotal: 30000, dlNow: 12000, ulTotal: 0, ulNow: 0, elapsedUs: 1403100, currentSpeed: 8547 }),
    '\r 40 30000   40 12000    0     0   8552      0  0:00:03  0:00:01  0:00:02  8547');
  assert.equal(meterLine({ dlTotal: 30000, dlNow: 30000, ulTotal: 0, ulNow: 0, elapsedUs: 3507000, currentSpeed: 8551 }),
    '\r100 30000  100 30000    0     0   8554      0  0:00:03  0:00:03 --:--:--  8551');
});

test('max5data and time2str units', () => {
  assert.deepEqual([0, 99999, 100000, 10239999, 10240000, 104857599, 104857600, 1048576000 * 10, 1024 ** 3 * 150, 1024 ** 4 * 20, 1024 ** 5 * 20].map(max5data),
    ['    0', '99999', '  97k', '9999k', ' 9.7M', '99.9M', ' 100M', ' 9.7G', ' 150G', '  20T', '  20P']);
  assert.deepEqual([0, 1, 61, 3661, 99 * 3600 + 59, 100 * 3600, 1000 * 86400].map(time2str),
    ['--:--:--', ' 0:00:01', ' 0:01:01', ' 1:01:01', '99:00:59', '  4d 04h', '   1000d']);
});

test('ProgressMeter prints the header once and at most once per second', () => {
  const m = new ProgressMeter();
  const first = m.update(0, 0, 0, 0, 1000);
  assert.ok(first.startsWith(METER_HEADER + '\r  0     0'));
  assert.equal(m.update(100, 50, 0, 0, 500000), '');
  assert.ok(m.update(100, 80, 0, 0, 1200000).startsWith('\r 80   100   80    80'));
  assert.ok(m.update(100, 100, 0, 0, 1300000, true).endsWith('\n'));
});

test('-# bar: width 79, 72 columns of bar, %5.1f', () => {
  assert.equal(barLine(3000, 30000), '\r#######' + ' '.repeat(65) + '  10.0%');
  assert.equal(barLine(30000, 30000), '\r' + '#'.repeat(72) + ' 100.0%');
  const b = new ProgressBar();
  assert.equal(b.update(30000, 0, 0, 0, 0), '');
  assert.equal(b.update(30000, 3000, 0, 0, 50), '');
  assert.equal(b.update(30000, 3000, 0, 0, 150), barLine(3000, 30000));
  assert.equal(b.update(30000, 30000, 0, 0, 160), barLine(30000, 30000));
});

test('-# with unknown size flies', () => {
  const b = new ProgressBar();
  b.update(0, 0, 0, 0, 0);
  const s = b.update(0, 10, 0, 0, 200);
  assert.equal(s.length, 79);
  assert.ok(s.startsWith('-=O=-') && s.endsWith('\r'));
});
