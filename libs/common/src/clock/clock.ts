/**
 * Where handlers and services read the decision time, so a test can fix it. An abstract class
 * rather than an interface so that Nest can inject it by type.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Binds `Clock` to the system clock in an app's module. */
export const systemClockProvider = { provide: Clock, useClass: SystemClock };
