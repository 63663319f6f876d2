// System utilities: env, printenv, sleep, date, uname, hostname, ps, kill, basename, dirname,
// free, df, which, pwd, and init (pid 1: start the entrypoint, reap, forward signals).

import { hostnameAddresses } from "./net";
import { stdout, stderr, warn, ByteBuf } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { usage, report } from "../lib/cmd";
import * as fs from "../lib/fs";
import { environ, getenv, unsetenv } from "../lib/env";
import { basename, dirname, join } from "../lib/path";
import { strerror, ECHILD, EINTR, ENOENT } from "../lib/errno";
import * as proc from "../lib/proc";
import * as k from "../lib/wasmbox";
import { humanSize } from "./files";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(v: i64): string { return v < 10 ? "0" + v.toString() : v.toString(); }

/** Splits seconds since the epoch (UTC) into [year, month 1-12, day, hour, min, sec, weekday]. */
export function civil(secs: i64): i64[] {
  let days = secs / 86400;
  let rem = secs % 86400;
  if (rem < 0) { rem += 86400; days--; }
  const weekday = ((days % 7) + 11) % 7;
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60, weekday];
}

/** "Thu Jan  1 00:00:00 UTC 1970" (date) or "Jan  1 00:00" (ls -l). */
export function formatDate(secs: i64, short: bool): string {
  const c = civil(secs);
  const day = c[2] < 10 ? " " + c[2].toString() : c[2].toString();
  const time = two(c[3]) + ":" + two(c[4]);
  if (short) return MONTHS[<i32>c[1] - 1] + " " + day + " " + time;
  return DAYS[<i32>c[6]] + " " + MONTHS[<i32>c[1] - 1] + " " + day + " " + time + ":" + two(c[5]) + " UTC " + c[0].toString();
}

/** "2026-12-01 20:30" as tar -tv prints times. */
export function formatIso(secs: i64): string {
  const c = civil(secs);
  return c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]) + " " + two(c[3]) + ":" + two(c[4]);
}

const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function spaced(v: i64): string { return v < 10 ? " " + v.toString() : v.toString(); }

/** strftime(3) over UTC, with the GNU date conversions. */
export function strftime(fmt: string, secs: i64, nanos: i64): string {
  const c = civil(secs);
  const yday = (secs - (((secs % 86400) + 86400) % 86400)) / 86400 - daysFromCivil(c[0], 1, 1) + 1;
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt.charAt(i);
    if (ch != "%" || i + 1 >= fmt.length) { out += ch; continue; }
    const start = i;
    let f = fmt.charAt(++i);
    // GNU flags (- no padding, _ spaces, 0 zeros, ^ upper case, # swapped case) and a field width.
    let flag = "";
    let upper = false;
    while ((f == "-" || f == "_" || f == "0" || f == "^" || f == "#") && i + 1 < fmt.length) {
      if (f == "^" || f == "#") upper = true; else flag = f;
      f = fmt.charAt(++i);
    }
    let width = -1;
    while (f.charCodeAt(0) >= 48 && f.charCodeAt(0) <= 57 && i + 1 < fmt.length) { width = (width < 0 ? 0 : width * 10) + f.charCodeAt(0) - 48; f = fmt.charAt(++i); }
    let v = "";
    let numeric = true;
    if (f == "Y") v = c[0].toString();
    else if (f == "C") v = two(c[0] / 100);
    else if (f == "y") v = two(c[0] % 100);
    else if (f == "m") v = two(c[1]);
    else if (f == "d") v = two(c[2]);
    else if (f == "e") v = spaced(c[2]);
    else if (f == "H") v = two(c[3]);
    else if (f == "k") v = spaced(c[3]);
    else if (f == "I") v = two(c[3] % 12 == 0 ? 12 : c[3] % 12);
    else if (f == "l") v = spaced(c[3] % 12 == 0 ? 12 : c[3] % 12);
    else if (f == "M") v = two(c[4]);
    else if (f == "S") v = two(c[5]);
    else if (f == "N") { v = nanos.toString(); while (v.length < 9) v = "0" + v; if (width > 0 && width < 9) v = v.substring(0, width); width = -1; }
    else if (f == "s") v = secs.toString();
    else if (f == "j") { v = yday.toString(); while (v.length < 3) v = "0" + v; }
    else if (f == "u") v = (c[6] == 0 ? 7 : c[6]).toString();
    else if (f == "w") v = c[6].toString();
    else if (f == "U") v = two((yday - 1 + 7 - c[6]) / 7);
    else if (f == "W") v = two((yday - 1 + 7 - (c[6] + 6) % 7) / 7);
    else if (f == "V" || f == "G" || f == "g") {
      const iso = isoWeek(c[0], yday, c[6]);
      v = f == "V" ? two(iso[1]) : f == "G" ? iso[0].toString() : two(iso[0] % 100);
    }
    else if (f == "q") v = ((c[1] - 1) / 3 + 1).toString();
    else {
      numeric = false;
      if (f == "p") v = c[3] < 12 ? "AM" : "PM";
      else if (f == "P") v = c[3] < 12 ? "am" : "pm";
      else if (f == "a") v = DAYS[<i32>c[6]];
      else if (f == "A") v = LONG_DAYS[<i32>c[6]];
      else if (f == "b" || f == "h") v = MONTHS[<i32>c[1] - 1];
      else if (f == "B") v = LONG_MONTHS[<i32>c[1] - 1];
      else if (f == "F") v = c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]);
      else if (f == "D" || f == "x") v = two(c[1]) + "/" + two(c[2]) + "/" + two(c[0] % 100);
      else if (f == "T" || f == "X") v = two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]);
      else if (f == "R") v = two(c[3]) + ":" + two(c[4]);
      else if (f == "r") v = two(c[3] % 12 == 0 ? 12 : c[3] % 12) + ":" + two(c[4]) + ":" + two(c[5]) + (c[3] < 12 ? " AM" : " PM");
      else if (f == "c") v = DAYS[<i32>c[6]] + " " + MONTHS[<i32>c[1] - 1] + " " + spaced(c[2]) + " " + two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]) + " " + c[0].toString();
      else if (f == "z") v = "+0000";
      else if (f == "Z") v = "UTC";
      else if (f == "n") v = "\n";
      else if (f == "t") v = "\t";
      else if (f == "%") v = "%";
      else { out += fmt.substring(start, i + 1); continue; }
    }
    if (numeric && flag == "-") { while (v.length > 1 && (v.charAt(0) == "0" || v.charAt(0) == " ")) v = v.substring(1); }
    else if (numeric && flag == "_") { let k = 0; while (k < v.length - 1 && v.charAt(k) == "0") { v = v.substring(0, k) + " " + v.substring(k + 1); k++; } }
    else if (numeric && flag == "0") v = v.replaceAll(" ", "0");
    if (upper) v = v.toUpperCase();
    if (width > v.length && flag != "-") { const fill = numeric && flag != "_" ? "0" : " "; v = fill.repeat(width - v.length) + v; }
    out += v;
  }
  return out;
}

/** The ISO 8601 week-based year and week number of a day (yday 1-based, wday 0 Sunday). */
function isoWeek(year: i64, yday: i64, wday: i64): i64[] {
  const isoWday = wday == 0 ? 7 : wday;
  let week = (yday - isoWday + 10) / 7;
  let y = year;
  if (week < 1) {
    y = year - 1;
    const prevDays: i64 = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
    week = (yday + prevDays - isoWday + 10) / 7;
  } else {
    const days: i64 = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
    if (week == 53 && yday - isoWday + 4 > days) { y = year + 1; week = 1; }
  }
  return [y, week];
}

/** Days since the epoch of a civil date (proleptic Gregorian). */
function daysFromCivil(y0: i64, m: i64, d: i64): i64 {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function digitsAt(s: string, at: i32, n: i32): i64 {
  if (at + n > s.length) return -1;
  let v: i64 = 0;
  for (let i = at; i < at + n; i++) { const c = s.charCodeAt(i) - 48; if (c < 0 || c > 9) return -1; v = v * 10 + c; }
  return v;
}

/** Days in month m (1-12) of year y. */
function monthDays(y: i64, m: i64): i64 {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** The month (1-12) a word names ("jan", "January", "sept."), or 0. */
function monthOf(word: string): i32 {
  const w = word.endsWith(".") ? word.substring(0, word.length - 1) : word;
  if (w.length < 3) return 0;
  for (let k = 0; k < 12; k++) {
    const full = LONG_MONTHS[k].toLowerCase();
    if (full.startsWith(w) || (w == "sept" && k == 8)) return k + 1;
  }
  return 0;
}

/** The weekday (0 Sunday - 6) a word names ("mon", "Monday", "tues"), or -1. */
function weekdayOf(word: string): i32 {
  const w = word.endsWith(".") ? word.substring(0, word.length - 1) : word;
  if (w.length < 3) return -1;
  for (let k = 0; k < 7; k++) if (LONG_DAYS[k].toLowerCase().startsWith(w) || (w == "tues" && k == 2) || (w == "wednes" && k == 3) || (w == "thur" && k == 4) || (w == "thurs" && k == 4)) return k;
  return -1;
}

/** Whether a word is a unit of a relative date ("day", "hours"...). */
function isDateUnit(word: string): bool {
  let u = word;
  if (u.endsWith("s") && u.length > 3) u = u.substring(0, u.length - 1);
  return u == "year" || u == "month" || u == "fortnight" || u == "week" || u == "day" || u == "hour" || u == "minute" || u == "min" || u == "second" || u == "sec";
}

/** What a date string said, piece by piece, before it is put together. */
class DateParts {
  year: i64 = -1; month: i64 = -1; day: i64 = -1;
  hour: i64 = -1; minute: i64 = 0; second: i64 = 0;
  /** Seconds east of UTC the text's time was given in. */
  zone: i64 = 0;
  weekday: i32 = -1; weekdayOrdinal: i64 = 0;
  relYears: i64 = 0; relMonths: i64 = 0; relDays: i64 = 0; relSeconds: i64 = 0;
  /** Where the last relative item went (for "ago"): 1 years, 2 months, 3 days, 4 seconds, and its amount. */
  lastRel: i32 = 0; lastAmount: i64 = 0;
  ok: bool = true;

  addRelative(unit: string, n: i64): bool {
    let u = unit;
    if (u.endsWith("s") && u.length > 3) u = u.substring(0, u.length - 1);
    if (u == "year") { this.relYears += n; this.lastRel = 1; }
    else if (u == "month") { this.relMonths += n; this.lastRel = 2; }
    else if (u == "fortnight") { this.relDays += 14 * n; this.lastRel = 3; n *= 14; }
    else if (u == "week") { this.relDays += 7 * n; this.lastRel = 3; n *= 7; }
    else if (u == "day") { this.relDays += n; this.lastRel = 3; }
    else if (u == "hour") { this.relSeconds += 3600 * n; this.lastRel = 4; n *= 3600; }
    else if (u == "minute" || u == "min") { this.relSeconds += 60 * n; this.lastRel = 4; n *= 60; }
    else if (u == "second" || u == "sec") { this.relSeconds += n; this.lastRel = 4; }
    else return false;
    this.lastAmount = n;
    return true;
  }

  /** "HH:MM[:SS[.frac]]" with an optional zone glued on ("Z", "+02:00", "-0500"); false if it is not one. */
  time(token: string): bool {
    let t = token;
    let zoneAt = -1;
    for (let k = 1; k < t.length; k++) { const c = t.charAt(k); if (c == "+" || c == "-" || c == "z") { zoneAt = k; break; } }
    let zone = "";
    if (zoneAt > 0) { zone = t.substring(zoneAt); t = t.substring(0, zoneAt); }
    const parts = t.split(":");
    if (parts.length < 2 || parts.length > 3) return false;
    const h = parseIntOr(parts[0], -1); const mi = parseIntOr(parts[1], -1);
    let sec: i64 = 0;
    if (parts.length == 3) { const dot = parts[2].indexOf("."); sec = parseIntOr(dot >= 0 ? parts[2].substring(0, dot) : parts[2], -1); }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || parts[1].length != 2) return false;
    this.hour = h; this.minute = mi; this.second = sec;
    if (zone != "" && !this.zoneOf(zone)) return false;
    return true;
  }

  /** A zone: Z, UTC, GMT, +HH, +HHMM or +HH:MM. */
  zoneOf(text: string): bool {
    if (text == "z" || text == "utc" || text == "gmt" || text == "ut") { this.zone = 0; return true; }
    if (!(text.startsWith("+") || text.startsWith("-"))) return false;
    const digits = text.substring(1).replace(":", "");
    const v = parseIntOr(digits, -1);
    if (v < 0 || (digits.length != 2 && digits.length != 4)) return false;
    const hh = digits.length == 2 ? v : v / 100; const mm = digits.length == 2 ? 0 : v % 100;
    if (hh > 24 || mm > 59) return false;
    this.zone = (text.startsWith("-") ? -1 : 1) * (hh * 3600 + mm * 60);
    return true;
  }
}

/**
 * Parses a date as GNU date -d and touch -d take it: @SECONDS, YYYY-MM-DD[ |T]HH:MM[:SS][ZONE],
 * YYYYMMDD, MM/DD[/YYYY], "Jan 5 2020", "5 January", HH:MM[:SS] (today), now, today, yesterday,
 * tomorrow, weekday names with next/last, "[+-]N unit[s] [ago]" (months and years by the calendar).
 * Returns seconds since the epoch, or I64.MIN_VALUE if the text is not a date.
 */
export function parseDate(text: string, now: i64): i64 {
  const s = text.trim();
  if (s.startsWith("@")) {
    const dot = s.indexOf(".");
    return parseIntOr(dot >= 0 ? s.substring(1, dot) : s.substring(1), I64.MIN_VALUE);
  }
  const words = s.toLowerCase().replaceAll(",", " ").split(" ");
  const tokens = new Array<string>();
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (w == "") continue;
    // "2020-06-01T12:00" splits into its date and its time.
    const tAt = w.indexOf("t");
    if (w.length > 10 && tAt == 10 && w.charAt(4) == "-") { tokens.push(w.substring(0, 10)); tokens.push(w.substring(11)); continue; }
    tokens.push(w);
  }
  const d = new DateParts();
  let k = 0;
  while (k < tokens.length && d.ok) {
    const t = tokens[k++];
    const next = k < tokens.length ? tokens[k] : "";
    if (t == "now" || t == "today" || t == "this") continue;
    if (t == "yesterday") { d.addRelative("day", -1); continue; }
    if (t == "tomorrow") { d.addRelative("day", 1); continue; }
    // "3pm", "3:30pm": the hour and its half of the day glued together.
    if ((t.endsWith("am") || t.endsWith("pm")) && t.length > 2 && t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57) {
      const clock = t.substring(0, t.length - 2);
      if (clock.indexOf(":") > 0) { if (!d.time(clock)) { d.ok = false; break; } }
      else { const h = parseIntOr(clock, -1); if (h < 0) { d.ok = false; break; } d.hour = h; d.minute = 0; d.second = 0; }
      if (d.hour < 1 || d.hour > 12) { d.ok = false; break; }
      if (t.endsWith("pm") && d.hour < 12) d.hour += 12; else if (t.endsWith("am") && d.hour == 12) d.hour = 0;
      continue;
    }
    if (t == "ago") { if (d.lastRel == 0) { d.ok = false; break; } const back = -2 * d.lastAmount; if (d.lastRel == 1) d.relYears += back; else if (d.lastRel == 2) d.relMonths += back; else if (d.lastRel == 3) d.relDays += back; else d.relSeconds += back; d.lastRel = 0; continue; }
    if (t == "am" || t == "pm" || t == "a.m." || t == "p.m.") {
      if (d.hour < 0 || d.hour > 12) { d.ok = false; break; }
      if (t.startsWith("p") && d.hour < 12) d.hour += 12; else if (t.startsWith("a") && d.hour == 12) d.hour = 0;
      continue;
    }
    // A zone: a name, or a signed offset right after a time ("12:00 +0200").
    if (t == "z" || t == "utc" || t == "gmt" || t == "ut") { d.zone = 0; continue; }
    if ((t.startsWith("+") || t.startsWith("-")) && d.hour >= 0 && (t.length == 5 || t.length == 6 || t.length == 3) && !(next != "" && isDateUnit(next)) && d.zoneOf(t)) continue;
    if (t == "next" || t == "last") {
      const ordinal: i64 = t == "next" ? 1 : -1;
      const wd = weekdayOf(next);
      if (wd >= 0) { d.weekday = wd; d.weekdayOrdinal = ordinal; k++; continue; }
      if (!d.addRelative(next, ordinal)) { d.ok = false; break; }
      k++;
      continue;
    }
    const wd = weekdayOf(t);
    if (wd >= 0) { d.weekday = wd; d.weekdayOrdinal = 0; continue; }
    const month = monthOf(t);
    if (month > 0) {
      // "Jan 5 [2020]" (or "5 Jan [2020]", where the day came first).
      d.month = month;
      if (d.day < 0) {
        const day = parseIntOr(next, -1);
        if (day < 1 || day > 31) { d.ok = false; break; }
        d.day = day; k++;
      }
      if (k < tokens.length && tokens[k].length == 4 && parseIntOr(tokens[k], -1) >= 0) { d.year = parseIntOr(tokens[k], -1); k++; }
      continue;
    }
    // "5 Jan": a day before a month name.
    if (monthOf(next) > 0 && parseIntOr(t, -1) >= 1 && parseIntOr(t, -1) <= 31) { d.day = parseIntOr(t, -1); continue; }
    // YYYY-MM-DD
    if (t.length >= 8 && t.charAt(4) == "-" && digitsAt(t, 0, 4) >= 0) {
      const parts = t.split("-");
      if (parts.length != 3) { d.ok = false; break; }
      d.year = parseIntOr(parts[0], -1); d.month = parseIntOr(parts[1], -1); d.day = parseIntOr(parts[2], -1);
      continue;
    }
    // MM/DD[/YYYY]
    if (t.indexOf("/") > 0) {
      const parts = t.split("/");
      if (parts.length < 2 || parts.length > 3) { d.ok = false; break; }
      d.month = parseIntOr(parts[0], -1); d.day = parseIntOr(parts[1], -1);
      if (parts.length == 3) { d.year = parseIntOr(parts[2], -1); if (parts[2].length == 2 && d.year >= 0) d.year += d.year < 69 ? 2000 : 1900; }
      continue;
    }
    if (t.indexOf(":") > 0) { if (!d.time(t)) d.ok = false; continue; }
    // A number: a unit after it makes it relative; else YYYYMMDD, a year after a date, or an hour before am/pm.
    const n = parseIntOr(t, I64.MIN_VALUE);
    if (n != I64.MIN_VALUE) {
      if (next != "" && d.addRelative(next, n)) { k++; continue; }
      if (next == "am" || next == "pm") { d.hour = n; d.minute = 0; d.second = 0; continue; }
      if (t.length == 8 && !t.startsWith("+") && !t.startsWith("-") && d.year < 0) { d.year = n / 10000; d.month = (n / 100) % 100; d.day = n % 100; continue; }
      if (t.length == 4 && d.month > 0 && d.year < 0) { d.year = n; continue; }
      if ((t.length == 4 || t.length == 2) && d.month > 0 && d.hour < 0 && !t.startsWith("+") && !t.startsWith("-")) { d.hour = t.length == 4 ? n / 100 : n; d.minute = t.length == 4 ? n % 100 : 0; continue; }
      d.ok = false; break;
    }
    // A unit alone ("week", "+ 1 month" split as "+" "1"): one of it.
    if (t == "+" || t == "-") {
      const m = parseIntOr(next, I64.MIN_VALUE);
      if (m == I64.MIN_VALUE || k + 1 >= tokens.length || !d.addRelative(tokens[k + 1], t == "-" ? -m : m)) { d.ok = false; break; }
      k += 2;
      continue;
    }
    if (d.addRelative(t, 1)) continue;
    d.ok = false;
  }
  if (!d.ok) return I64.MIN_VALUE;
  // Put it together: the date given (or today), the time given (midnight when only a date or a day was given, else now).
  const c = civil(now);
  let year = d.year >= 0 ? d.year : c[0];
  let month = d.month >= 0 ? d.month : c[1];
  let day = d.day >= 0 ? d.day : c[2];
  if (month < 1 || month > 12 || day < 1 || day > monthDays(year, month)) return I64.MIN_VALUE;
  let secsOfDay: i64;
  if (d.hour >= 0) { if (d.hour == 24 && (d.minute != 0 || d.second != 0)) return I64.MIN_VALUE; secsOfDay = d.hour * 3600 + d.minute * 60 + d.second; }
  else if (d.day >= 0 || d.weekday >= 0) secsOfDay = 0;
  else secsOfDay = c[3] * 3600 + c[4] * 60 + c[5];
  // Months and years move the calendar date (an overflowing day rolls into the next month, as mktime does).
  const months = (year * 12 + (month - 1)) + d.relYears * 12 + d.relMonths;
  year = months >= 0 ? months / 12 : (months - 11) / 12;
  month = months - year * 12 + 1;
  let days = daysFromCivil(year, month, 1) + day - 1 + d.relDays;
  if (d.weekday >= 0) {
    const wday = ((days + 4) % 7 + 7) % 7;
    days += (d.weekday - wday + 7) % 7 + 7 * (d.weekdayOrdinal - (d.weekdayOrdinal > 0 && wday != d.weekday ? 1 : 0));
  }
  return days * 86400 + secsOfDay - d.zone + d.relSeconds;
}

/** date [-u] [-R] [-I[TIMESPEC]] [-d DATE] [-r FILE] [+FORMAT] */
export function dateMain(args: string[]): i32 {
  const ns = proc.nowNs();
  let secs = ns / 1000000000;
  let nanos = ns % 1000000000;
  let format = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-u" || a == "--utc" || a == "--universal") continue;
    if (a == "-R" || a == "--rfc-email") { format = "%a, %d %b %Y %H:%M:%S %z"; continue; }
    if (a == "-I" || a.startsWith("-I") || a == "--iso-8601" || a.startsWith("--iso-8601=")) {
      const spec = a.startsWith("--") ? (a.indexOf("=") > 0 ? a.substring(a.indexOf("=") + 1) : "date") : a.length > 2 ? a.substring(2) : "date";
      if (spec == "date" || "date".startsWith(spec) && spec.length > 0 && spec.charAt(0) == "d") format = "%Y-%m-%d";
      else if (spec == "hours" || (spec.length > 0 && "hours".startsWith(spec))) format = "%Y-%m-%dT%H+00:00";
      else if (spec == "minutes" || (spec.length > 0 && "minutes".startsWith(spec))) format = "%Y-%m-%dT%H:%M+00:00";
      else if (spec == "seconds" || (spec.length > 0 && "seconds".startsWith(spec))) format = "%Y-%m-%dT%H:%M:%S+00:00";
      else if (spec == "ns") format = "%Y-%m-%dT%H:%M:%S,%N+00:00";
      else { warn("date", "invalid argument '" + spec + "' for '--iso-8601'"); return 1; }
      continue;
    }
    if (a.startsWith("--rfc-3339=")) {
      const spec = a.substring(11);
      if (spec == "date") format = "%Y-%m-%d";
      else if (spec == "seconds") format = "%Y-%m-%d %H:%M:%S+00:00";
      else if (spec == "ns") format = "%Y-%m-%d %H:%M:%S.%N+00:00";
      else { warn("date", "invalid argument '" + spec + "' for '--rfc-3339'"); return 1; }
      continue;
    }
    if (a == "-s" || a.startsWith("--set")) { warn("date", "cannot set date: Operation not permitted"); return 1; }
    if (a == "-d" || a == "--date" || a.startsWith("--date=") || (a.startsWith("-d") && a.length > 2)) {
      const text = a == "-d" || a == "--date" ? (i + 1 < args.length ? args[++i] : "") : a.startsWith("--date=") ? a.substring(7) : a.substring(2);
      const t = parseDate(text, secs);
      if (t == I64.MIN_VALUE) return usage("date", "invalid date '" + text + "'");
      secs = t; nanos = 0;
      // @SECONDS.FRACTION keeps its fraction for %N.
      const trimmed = text.trim();
      const dot = trimmed.indexOf(".");
      if (trimmed.startsWith("@") && dot > 0) { let frac = trimmed.substring(dot + 1); while (frac.length < 9) frac += "0"; nanos = parseIntOr(frac.substring(0, 9), 0); }
      continue;
    }
    if (a == "-r" || a == "--reference") {
      if (i + 1 >= args.length) return usage("date", "option requires an argument -- 'r'");
      const st = fs.stat(args[++i]);
      if (st == null) { report("date", args[i], fs.lastError); return 1; }
      secs = <i64>(st.mtim / 1000000000); nanos = <i64>(st.mtim % 1000000000);
      continue;
    }
    if (a.startsWith("+")) { format = a.substring(1); continue; }
    return usage("date", "invalid date '" + a + "'");
  }
  stdout.line(format != "" ? strftime(format, secs, nanos) : formatDate(secs, false));
  return 0;
}

/** env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...] */
export function envMain(args: string[]): i32 {
  let i = 0;
  let clear = false;
  let nul = false;
  let dir = "";
  const unset = new Array<string>();
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "-i" || a == "-" || a == "--ignore-environment") { clear = true; continue; }
    if ((a == "-u" || a == "--unset") && i + 1 < args.length) { unset.push(args[++i]); continue; }
    if (a.startsWith("--unset=")) { unset.push(a.substring(8)); continue; }
    if (a.startsWith("-u") && a.length > 2) { unset.push(a.substring(2)); continue; }
    if ((a == "-C" || a == "--chdir") && i + 1 < args.length) { dir = args[++i]; continue; }
    if (a.startsWith("--chdir=")) { dir = a.substring(8); continue; }
    if (a.startsWith("-C") && a.length > 2) { dir = a.substring(2); continue; }
    if (a == "-0" || a == "--null") { nul = true; continue; }
    if (a == "--") { i++; break; }
    if (a == "-C" || a == "-u" || a == "--chdir" || a == "--unset") {
      warn("env", a.startsWith("--") ? "option '" + a + "' requires an argument" : "option requires an argument -- '" + a.charAt(1) + "'");
      stderr.line("Try 'env --help' for more information.").flush();
      return 125;
    }
    if (a.startsWith("-") && a.length > 1 && a.indexOf("=") < 0) {
      warn("env", a.startsWith("--") ? "unrecognized option '" + a + "'" : "invalid option -- '" + a.charAt(1) + "'");
      stderr.line("Try 'env --help' for more information.").flush();
      return 125;
    }
    break;
  }
  let env = clear ? new Array<string>() : environ();
  for (let u = 0; u < unset.length; u++) {
    const kept = new Array<string>();
    for (let e = 0; e < env.length; e++) if (!env[e].startsWith(unset[u] + "=")) kept.push(env[e]);
    env = kept;
  }
  for (; i < args.length && args[i].indexOf("=") > 0; i++) {
    const name = args[i].substring(0, args[i].indexOf("=") + 1);
    const kept = new Array<string>();
    for (let e = 0; e < env.length; e++) if (!env[e].startsWith(name)) kept.push(env[e]);
    kept.push(args[i]);
    env = kept;
  }
  if (i >= args.length) {
    if (dir != "") { warn("env", "must specify command with --chdir (-C)"); stderr.line("Try 'env --help' for more information.").flush(); return 125; }
    for (let e = 0; e < env.length; e++) stdout.str(env[e]).byte(nul ? 0 : 10);
    return 0;
  }
  if (nul) { warn("env", "cannot specify --null (-0) with command"); stderr.line("Try 'env --help' for more information.").flush(); return 125; }
  if (dir != "") {
    const err = fs.chdir(dir);
    if (err != 0) { warn("env", "cannot change directory to '" + dir + "': " + strerror(err)); return 125; }
  }
  return runAndWait("env", args.slice(i), env);
}

/** Runs a command found in PATH and returns its exit status (127 not found, 126 not runnable). */
export function runAndWait(prog: string, argv: string[], env: string[] | null): i32 {
  const path = which(argv[0]);
  if (path == "") { warn(prog, "'" + argv[0] + "': No such file or directory"); return 127; }
  stdout.flush();
  const pid = proc.spawn(path, argv, env, fs.getcwd(), []);
  if (pid < 0) { warn(prog, "'" + argv[0] + "': " + strerror(-pid)); return -pid == ENOENT ? 127 : 126; }
  let err = proc.wait(pid);
  while (err == EINTR) err = proc.wait(pid);
  return proc.exitStatus(proc.waitedStatus);
}

/** The path of a command in PATH, or "". */
export function which(name: string): string {
  if (name.indexOf("/") >= 0) return fs.exists(name) ? name : "";
  const p = getenv("PATH");
  const dirs = (p != null ? p : "/bin").split(":");
  for (let i = 0; i < dirs.length; i++) {
    const candidate = join(dirs[i].length > 0 ? dirs[i] : ".", name);
    const st = fs.stat(candidate);
    if (st != null && st.isFile()) return candidate;
  }
  return "";
}

/** which NAME... */
export function whichMain(args: string[]): i32 {
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const path = which(args[i]);
    if (path == "") status = 1; else stdout.line(path);
  }
  return args.length == 0 ? 1 : status;
}

/** printenv [NAME]... */
export function printenvMain(args: string[]): i32 {
  if (args.length == 0) { const env = environ(); for (let i = 0; i < env.length; i++) stdout.line(env[i]); return 0; }
  let status = 0;
  for (let i = 0; i < args.length; i++) {
    const v = getenv(args[i]);
    if (v == null) status = 1; else stdout.line(v);
  }
  return status;
}

/** sleep SECONDS (fractions allowed, suffixes s m h). */
export function sleepMain(args: string[]): i32 {
  if (args.length == 0) { warn("sleep", "missing operand"); stderr.line("Try 'sleep --help' for more information.").flush(); return 1; }
  let total: f64 = 0;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (a == "--") continue;
    if (a.startsWith("-") && a.length > 1) { warn("sleep", a.startsWith("--") ? "unrecognized option '" + a + "'" : "invalid option -- '" + a.charAt(1) + "'"); stderr.line("Try 'sleep --help' for more information.").flush(); return 1; }
    let scale: f64 = 1;
    if (a.endsWith("s")) a = a.substring(0, a.length - 1);
    else if (a.endsWith("m")) { scale = 60; a = a.substring(0, a.length - 1); }
    else if (a.endsWith("h")) { scale = 3600; a = a.substring(0, a.length - 1); }
    else if (a.endsWith("d")) { scale = 86400; a = a.substring(0, a.length - 1); }
    const lower = a.toLowerCase();
    const v = lower == "inf" || lower == "infinity" ? Infinity : validNumber(a) ? parseFloat(a) : NaN;
    if (isNaN(v) || v < 0) { warn("sleep", "invalid time interval '" + args[i] + "'"); stderr.line("Try 'sleep --help' for more information.").flush(); return 1; }
    total += v * scale;
  }
  // Infinity (sleep inf) sleeps until a signal ends it.
  if (!isFinite(total)) { for (;;) proc.sleepNs(<i64>1 << 40); }
  proc.sleepNs(<i64>(total * 1e9));
  return 0;
}

/** Whether s is a decimal number strtod takes whole ("1", ".5", "1e-1", "+2.").*/
function validNumber(s: string): bool {
  let i = 0;
  if (i < s.length && (s.charAt(i) == "+")) i++;
  let digits = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; digits++; }
  if (i < s.length && s.charAt(i) == ".") { i++; while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; digits++; } }
  if (digits == 0) return false;
  if (i < s.length && (s.charAt(i) == "e" || s.charAt(i) == "E")) {
    i++;
    if (i < s.length && (s.charAt(i) == "+" || s.charAt(i) == "-")) i++;
    let exp = 0;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) { i++; exp++; }
    if (exp == 0) return false;
  }
  return i == s.length;
}

/** The fields sys_uname reports: sysname, nodename, release, version, machine. */
function unameFields(): string[] {
  const buf = heap.alloc(1024);
  const ret = heap.alloc(8);
  const err = k.sys_uname(buf, 1024, ret);
  const fields = err == 0 ? String.UTF8.decodeUnsafe(buf, load<u32>(ret)).split("\0") : ["wasmbox", "wasmbox", "0", "0", "wasm32"];
  heap.free(buf); heap.free(ret);
  while (fields.length < 5) fields.push("");
  return fields;
}

/** uname [-asnrvm] */
export function unameMain(args: string[]): i32 {
  const o = getopt(args, "asnrvmpio");
  if (o.error != "") return usage("uname", o.error);
  const f = unameFields();
  const all = o.has("a");
  const parts = new Array<string>();
  if (all || o.has("s") || o.flags.size == 0) parts.push(f[0]);
  if (all || o.has("n")) parts.push(f[1]);
  if (all || o.has("r")) parts.push(f[2]);
  if (all || o.has("v")) parts.push(f[3]);
  if (all || o.has("m")) parts.push(f[4]);
  if (all || o.has("o")) parts.push("wasmbox");
  stdout.line(parts.join(" "));
  return 0;
}

/** hostname: the node name. */
export function hostnameMain(args: string[]): i32 {
  if (args.length > 0 && args[0] == "-i") return hostnameAddresses(unameFields()[1]);
  stdout.line(unameFields()[1]);
  return 0;
}

const SIGNAL_NAMES = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU"];

function signalNumber(name: string): i32 {
  const n = parseIntOr(name, -1);
  if (n >= 0) return <i32>n;
  const upper = name.toUpperCase();
  const bare = upper.startsWith("SIG") ? upper.substring(3) : upper;
  return SIGNAL_NAMES.indexOf(bare);
}

/** kill [-s SIG | -SIG] PID... ; kill -l */
export function killMain(args: string[]): i32 {
  let sig = k.SIGTERM;
  let i = 0;
  if (args.length > 0 && args[0] == "-l") { stdout.line(SIGNAL_NAMES.slice(1).join(" ")); return 0; }
  if (args.length > 1 && args[0] == "-s") { sig = signalNumber(args[1]); i = 2; }
  else if (args.length > 0 && args[0] == "--") i = 1;
  else if (args.length > 0 && args[0].startsWith("-") && args[0].length > 1) { sig = signalNumber(args[0].substring(1)); i = 1; }
  if (sig < 0) return usage("kill", "invalid signal specification");
  if (i >= args.length) return usage("kill", "usage: kill [-s SIGNAL | -SIGNAL] PID...");
  let status = 0;
  for (; i < args.length; i++) {
    const pid = <i32>parseIntOr(args[i], 0);
    const err = proc.kill(pid, sig);
    if (err != 0) { warn("kill", "(" + args[i] + ") - " + strerror(err)); status = 1; }
  }
  return status;
}

/** basename NAME [SUFFIX] */
export function basenameMain(args: string[]): i32 {
  if (args.length == 0) return usage("basename", "missing operand");
  let b = basename(args[0]);
  if (args.length > 1 && b.endsWith(args[1]) && b != args[1]) b = b.substring(0, b.length - args[1].length);
  stdout.line(b);
  return 0;
}

/** dirname NAME... */
export function dirnameMain(args: string[]): i32 {
  if (args.length == 0) return usage("dirname", "missing operand");
  for (let i = 0; i < args.length; i++) stdout.line(dirname(args[i]));
  return 0;
}

/** sync [FILE...]: flush files (no operand: the filesystem of /) to stable storage. */
export function syncMain(args: string[]): i32 {
  const paths = args.length > 0 ? args : ["/"];
  let status = 0;
  for (let i = 0; i < paths.length; i++) {
    const err = fs.sync(paths[i]);
    if (err != 0) { report("sync", paths[i], err); status = 1; }
  }
  return status;
}

/** pwd */
export function pwdMain(args: string[]): i32 { stdout.line(fs.getcwd()); return 0; }

/** free [-b|-k|-m|-h]: memory from sys_meminfo. */
export function freeMain(args: string[]): i32 {
  const o = getopt(args, "bkmh");
  const buf = heap.alloc(32);
  const err = k.sys_meminfo(buf);
  if (err != 0) { report("free", "sys_meminfo", err); return 1; }
  let total = load<i64>(buf); let used = load<i64>(buf, 8);
  const limit = load<i64>(buf, 16);
  if (limit > 0) { total = limit; used = load<i64>(buf, 24); }
  const divisor: i64 = o.has("b") ? 1 : o.has("m") ? 1048576 : 1024;
  stdout.line("               total        used        free      shared  buff/cache   available");
  const h = o.has("h");
  stdout.str("Mem:    ").pad(amount(total, h, divisor), 12).pad(amount(used, h, divisor), 12).pad(amount(total - used, h, divisor), 12)
    .pad("0", 12).pad("0", 12).pad(amount(total - used, h, divisor), 12).byte(10);
  stdout.str("Swap:   ").pad("0", 12).pad("0", 12).pad("0", 12).byte(10);
  return 0;
}

/** A byte count for free and df: human-readable, or in units of divisor. */
function amount(bytes: i64, human: bool, divisor: i64): string {
  return human ? humanSize(bytes) : (bytes / divisor).toString();
}

/**
 * init: pid 1. Runs argv[1..] as the entrypoint in its own process group, reaps every child
 * (orphans are re-parented to it), forwards TERM and INT to the entrypoint's group, and exits
 * with the entrypoint's status.
 */
export function initMain(args: string[]): i32 {
  const argv = args.length > 0 ? args : ["/bin/sh"];
  proc.sigaction(k.SIGTERM, k.SIG_CATCH);
  proc.sigaction(k.SIGINT, k.SIG_CATCH);
  const path = which(argv[0]);
  if (path == "") { warn("init", argv[0] + ": not found"); return 127; }
  const child = proc.spawn(path, argv, null, fs.getcwd(), [], k.SPAWN_NEW_PGROUP);
  if (child < 0) { warn("init", argv[0] + ": " + strerror(-child)); return 126; }
  let result = -1;
  for (;;) {
    const err = proc.wait(-1);
    if (err == EINTR) {
      const pending = proc.sigpending();
      for (let sig = 1; sig < 32; sig++) if ((pending & (1 << sig)) != 0) proc.kill(-child, sig);
      continue;
    }
    if (err == ECHILD) break;
    if (err != 0) { warn("init", "wait: " + strerror(err)); break; }
    if (proc.waitedPid == child) result = proc.exitStatus(proc.waitedStatus);
  }
  return result < 0 ? 1 : result;
}

