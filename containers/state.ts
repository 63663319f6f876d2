// containers/: a container's state changes, one named function each (created, running, exited, a
// failed start, paused, stopped by hand...): every change of ContainerState goes through one of these.
import type { HealthState } from "./health.js";
import type { InstanceEnd } from "./instance.js";
import type { ContainerState, VmFigures } from "./spec.js";

/**
 * The exit status of a `run` whose container could not start, from the error's text as docker's
 * CLI reads it: 127 when the command is not found, 126 when it cannot be invoked, else 125.
 */
export function startExitCode(message: string): number {
  if (/executable file not found|no such file or directory/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/** A fresh state for a created container. */
export function createdState(): ContainerState {
  return { status: "created", exitCode: 0, oomKilled: false, restartCount: 0, refusedCalls: [] };
}

/** Its pid 1 runs from `now`: what the last run left (exit, limits, errors, boot figures) is cleared. */
export function markRunning(state: ContainerState, now: string): ContainerState {
  return {
    ...state, status: "running", startedAt: now, exitCode: 0, manuallyStopped: false, paused: false,
    oomKilled: false, limitHit: undefined, error: undefined, refusedCalls: [], vm: undefined,
  };
}

/** Its pid 1 ended at `now`, as `end` records. */
export function markExited(state: ContainerState, end: InstanceEnd, now: string): ContainerState {
  return {
    ...state, status: "exited", exitCode: end.exitCode, finishedAt: now, error: end.error,
    oomKilled: end.oomKilled, limitHit: end.limitHit, refusedCalls: end.refusedCalls,
  };
}

/** It could not start (no such command, a bad user...): exited at once, with docker's status for the reason. */
export function markStartFailed(state: ContainerState, message: string, now: string): ContainerState {
  return {
    ...state, status: "exited", startedAt: now, exitCode: startExitCode(message), finishedAt: now,
    oomKilled: false, limitHit: undefined, error: message, refusedCalls: [],
  };
}

/** The process that ran it (a CLI or a daemon) died without recording its end. */
export function markOrphaned(state: ContainerState, now: string): ContainerState {
  return { ...state, status: "exited", exitCode: 255, finishedAt: now, error: "the process that ran it ended" };
}

/** Stopped or killed by hand: restart policies other than always leave it stopped. */
export function markStoppedByHand(state: ContainerState): ContainerState {
  return { ...state, manuallyStopped: true };
}

/** Paused (its processes not scheduled) or running again. */
export function markPaused(state: ContainerState, paused: boolean): ContainerState {
  return { ...state, paused };
}

/** Its policy starts it again: one more restart counted. */
export function markRestarting(state: ContainerState): ContainerState {
  return { ...state, restartCount: state.restartCount + 1 };
}

/** Its health check's latest result. */
export function withHealth(state: ContainerState, health: HealthState): ContainerState {
  return { ...state, health };
}

/** A VM's figures from its boot (for inspect). */
export function withVmFigures(state: ContainerState, vm: VmFigures): ContainerState {
  return { ...state, vm };
}

/** Why its writable layer could not be saved (State.Error), or undefined once a save worked. */
export function withSaveError(state: ContainerState, error: string | undefined): ContainerState {
  return { ...state, error };
}
