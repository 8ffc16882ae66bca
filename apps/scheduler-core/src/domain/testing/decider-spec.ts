import { ServiceCallEvent } from '@app/common/contracts';
import { decide } from '../decide';
import { RejectionReason } from '../decision';
import { evolve } from '../evolve';
import { ServiceCallCommand } from '../service-call.commands';
import { initialState, ServiceCallState } from '../service-call.state';

/** Test-only: given past events, when a command arrives, then these events (or this rejection). */
export const given = (history: readonly ServiceCallEvent[]) => ({
  when: (command: ServiceCallCommand) => {
    const state = fold(initialState(), history);
    const decision = decide(command, state);
    return {
      /** Asserts the produced events and returns the state after evolving them, for status checks. */
      then: (expected: readonly ServiceCallEvent[]): ServiceCallState => {
        expect(decision).toEqual({ kind: 'accepted', events: expected });
        return decision.kind === 'accepted' ? fold(state, decision.events) : state;
      },
      thenRejected: (reason: RejectionReason): void => {
        expect(decision).toEqual({ kind: 'rejected', reason });
      },
    };
  },
});

const fold = (state: ServiceCallState, events: readonly ServiceCallEvent[]): ServiceCallState =>
  events.reduce(evolve, state);
