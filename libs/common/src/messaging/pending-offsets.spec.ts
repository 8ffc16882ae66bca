import { PendingOffsets } from './pending-offsets';

describe('PendingOffsets', () => {
  it('has nothing to commit before any offset was handed in', () => {
    expect(new PendingOffsets().committable()).toBeUndefined();
  });

  it('commits past the highest offset once everything finished', () => {
    const pending = new PendingOffsets();
    ['5', '6', '7'].forEach((o) => pending.add(o));
    ['5', '6', '7'].forEach((o) => pending.finish(o));
    expect(pending.committable()).toBe('8');
    expect(pending.size).toBe(0);
  });

  it('never commits past the oldest unfinished offset, whatever finished after it', () => {
    const pending = new PendingOffsets();
    ['10', '11', '12', '13', '14'].forEach((o) => pending.add(o));
    expect(pending.committable()).toBe('10');
    pending.finish('12');
    pending.finish('14');
    expect(pending.committable()).toBe('10');
    pending.finish('10');
    expect(pending.committable()).toBe('11');
    pending.finish('11');
    expect(pending.committable()).toBe('13');
    pending.finish('13');
    expect(pending.committable()).toBe('15');
  });

  it('keeps the position when later offsets arrive while an older one is unfinished', () => {
    const pending = new PendingOffsets();
    pending.add('0');
    pending.add('1');
    pending.finish('1');
    pending.add('2');
    pending.finish('2');
    expect(pending.committable()).toBe('0');
    expect(pending.size).toBe(1);
  });

  it('ignores finishing an offset it never saw or finished already', () => {
    const pending = new PendingOffsets();
    pending.add('3');
    pending.finish('99');
    pending.finish('3');
    pending.finish('3');
    expect(pending.committable()).toBe('4');
  });

  it('compares offsets as integers, beyond the precision of a double and across digit counts', () => {
    const pending = new PendingOffsets();
    pending.add('9');
    pending.add('10');
    pending.finish('10');
    expect(pending.committable()).toBe('9');
    pending.finish('9');
    expect(pending.committable()).toBe('11');

    const big = new PendingOffsets();
    big.add('9007199254740993');
    big.add('9007199254740994');
    big.finish('9007199254740993');
    expect(big.committable()).toBe('9007199254740994');
    big.finish('9007199254740994');
    expect(big.committable()).toBe('9007199254740995');
  });
});

describe('PendingOffsets.forget', () => {
  it('lets a given-up offset neither hold the commit back nor move it past itself', () => {
    const pending = new PendingOffsets();
    ['0', '1', '2', '3'].forEach((o) => pending.add(o));
    pending.finish('0');
    pending.forget('2');
    pending.forget('3');
    expect(pending.committable()).toBe('1');
    pending.finish('1');
    // 2 and 3 were never handled here: the next reader must start at 2.
    expect(pending.committable()).toBe('2');
  });

  it('has nothing to commit when everything handed in was given up', () => {
    const pending = new PendingOffsets();
    pending.add('7');
    pending.add('8');
    pending.forget('7');
    pending.forget('8');
    expect(pending.committable()).toBeUndefined();
  });

  it('ignores a late finish of an offset that was given up', () => {
    const pending = new PendingOffsets();
    pending.add('4');
    pending.add('5');
    pending.forget('5');
    pending.finish('5');
    pending.finish('4');
    expect(pending.committable()).toBe('5');
  });

  it('takes an offset handed in again after it was given up as unfinished', () => {
    const pending = new PendingOffsets();
    pending.add('0');
    pending.forget('0');
    pending.add('0');
    expect(pending.committable()).toBe('0');
    pending.finish('0');
    expect(pending.committable()).toBe('1');
  });
});
