/**
 * kafkajs, with our idle-timer fix (./kafkajs-idle-timer-fix, ADR-0012) applied before any client
 * exists. Every import of kafkajs in the repository goes through this module, so no client, however
 * short-lived, runs without the fix (`npm run deps:check`, rule `kafkajs-through-the-fixed-module`).
 */
import { fixKafkajsIdleTimer } from './kafkajs-idle-timer-fix';

fixKafkajsIdleTimer();

export * from 'kafkajs';
