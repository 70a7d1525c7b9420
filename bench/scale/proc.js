/**
 * Per-process figures from /proc (Linux): CPU seconds (utime + stime), current and peak resident memory, and a
 * description of the machine. Everything is read per pid, so processes sharing the machine are told apart.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');

let clockTicks = null;

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 almost everywhere). */
function ticksPerSecond() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) the process has used so far; null when it is gone or /proc is missing. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ") ".
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** User and system CPU seconds separately; null when the process is gone. */
function cpuSplit(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return { user: Number(fields[11]) / ticksPerSecond(), system: Number(fields[12]) / ticksPerSecond() };
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak) in MiB; nulls when the process is gone. */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => {
      const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
      return m ? Number(m[1]) / 1024 : null;
    };
    return { rssMiB: kb('VmRSS'), peakMiB: kb('VmHWM') };
  } catch {
    return { rssMiB: null, peakMiB: null };
  }
}

function machine() {
  const cpus = os.cpus();
  let prometheus = 'not installed';
  try {
    prometheus = execFileSync('prometheus', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')[0]
      .replace(/^prometheus, /, '');
  } catch {
    // reported as not installed
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    prometheus,
  };
}

/** One line naming the machine a benchmark ran on, for its output: CPU, cores, memory, Node, OS. */
function describeMachine() {
  const cpus = os.cpus();
  const memoryGiB = (os.totalmem() / 1024 ** 3).toFixed(0);
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${memoryGiB} GiB, Node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}`;
}

module.exports = { cpuSeconds, cpuSplit, memory, machine, describeMachine, ticksPerSecond };
