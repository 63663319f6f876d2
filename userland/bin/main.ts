// The multi-call binary: every program of the base image in one module. /bin/NAME is a symlink
// to it, and it runs the applet named by the basename of argv[0] (or argv[1] when called as busybox).
import { argv } from "../lib/env";
import { exit, stdout, warn } from "../lib/io";
import { basename } from "../lib/path";
import { shMain } from "./sh";
import { sttyMain } from "./tty";
import { printfMain } from "./printf";
import { testMain } from "./test";
import { grepMain, sedMain } from "./textre";
import { lsMain } from "./ls";
import { psMain, dmesgMain } from "./ps";
import { csplitMain, watchMain } from "./csplit";
import { bcMain } from "./bc";
import { lessMain } from "./less";
import { viMain } from "./vi";
import { dfMain, duMain } from "./disk";
import { chmodMain, chownMain } from "./perm";
import { mkdirMain, rmdirMain, rmMain, cpMain, mvMain, lnMain, touchMain, statMain, readlinkMain } from "./files";
import { findMain } from "./find";
import { dateMain, envMain, whichMain, printenvMain, sleepMain, unameMain, hostnameMain, killMain, basenameMain, dirnameMain, pwdMain, syncMain, freeMain, initMain } from "./system";
import { xargsMain } from "./xargs";
import { sumMain, base64Main, cksumMain } from "./hash";
import { gzipMain } from "./gzip";
import { tarMain } from "./tar";
import { awkMain } from "./awk";
import { tacMain, revMain, pasteMain, commMain, joinMain, nlMain, foldMain, splitMain, shufMain, cmpMain } from "./textutil";
import { diffMain, patchMain } from "./diff";
import { odMain, xxdMain, hexdumpMain, ddMain, exprMain, mktempMain, realpathMain, timeoutMain, nohupMain, niceMain, timeMain, idMain, whoamiMain, groupsMain, uptimeMain, clearMain, mountMain } from "./misc";
import { ncMain, httpdMain, wgetMain, ipMain } from "./net";
import { catMain, echoMain, wcMain, headMain, tailMain, teeMain, seqMain, yesMain, trMain, cutMain, uniqMain, sortMain } from "./text";

/** Runs the applet `name`; -1 if there is no such applet. */
function runApplet(name: string, args: string[], argv0: string): i32 {
  if (name == "sh" || name == "ash") return shMain(argv0, args);
  if (name == "test" || name == "[") return testMain(name, args);
  if (name == "init") return initMain(args);
  if (name == "grep" || name == "egrep") return grepMain(name, args);
  if (name == "sed") return sedMain(args);
  if (name == "ls") return lsMain(args);
  if (name == "dmesg") return dmesgMain(args);
  if (name == "bc") return bcMain(args);
  if (name == "less" || name == "more") return lessMain(args);
  if (name == "vi") return viMain(args);
  if (name == "csplit") return csplitMain(args);
  if (name == "watch") return watchMain(args);
  if (name == "chmod") return chmodMain(args);
  if (name == "chown" || name == "chgrp") return chownMain(name, args);
  if (name == "mkdir") return mkdirMain(args);
  if (name == "rmdir") return rmdirMain(args);
  if (name == "rm") return rmMain(args);
  if (name == "cp") return cpMain(args);
  if (name == "mv") return mvMain(args);
  if (name == "ln") return lnMain(args);
  if (name == "touch") return touchMain(args);
  if (name == "stat") return statMain(args);
  if (name == "readlink") return readlinkMain(args);
  if (name == "du") return duMain(args);
  if (name == "find") return findMain(args);
  if (name == "date") return dateMain(args);
  if (name == "env") return envMain(args);
  if (name == "which") return whichMain(args);
  if (name == "printenv") return printenvMain(args);
  if (name == "sleep") return sleepMain(args);
  if (name == "uname") return unameMain(args);
  if (name == "hostname") return hostnameMain(args);
  if (name == "ps") return psMain(args);
  if (name == "kill") return killMain(args);
  if (name == "basename") return basenameMain(args);
  if (name == "dirname") return dirnameMain(args);
  if (name == "pwd") return pwdMain(args);
  if (name == "sync") return syncMain(args);
  if (name == "free") return freeMain(args);
  if (name == "df") return dfMain(args);
  if (name == "xargs") return xargsMain(args);
  if (name == "md5sum" || name == "sha1sum" || name == "sha256sum") return sumMain(name, args);
  if (name == "base64") return base64Main(args);
  if (name == "cksum") return cksumMain(args);
  if (name == "gzip" || name == "gunzip" || name == "zcat") return gzipMain(name, args);
  if (name == "tar") return tarMain(args);
  if (name == "awk") return awkMain(args);
  if (name == "tac") return tacMain(args);
  if (name == "rev") return revMain(args);
  if (name == "paste") return pasteMain(args);
  if (name == "comm") return commMain(args);
  if (name == "join") return joinMain(args);
  if (name == "nl") return nlMain(args);
  if (name == "fold") return foldMain(args);
  if (name == "split") return splitMain(args);
  if (name == "shuf") return shufMain(args);
  if (name == "cmp") return cmpMain(args);
  if (name == "diff") return diffMain(args);
  if (name == "patch") return patchMain(args);
  if (name == "od") return odMain(args);
  if (name == "xxd") return xxdMain(args);
  if (name == "hexdump" || name == "hd") return hexdumpMain(name, args);
  if (name == "dd") return ddMain(args);
  if (name == "expr") return exprMain(args);
  if (name == "mktemp") return mktempMain(args);
  if (name == "realpath") return realpathMain(args);
  if (name == "timeout") return timeoutMain(args);
  if (name == "nohup") return nohupMain(args);
  if (name == "nice") return niceMain(args);
  if (name == "time") return timeMain(args);
  if (name == "id") return idMain(args);
  if (name == "whoami") return whoamiMain(args);
  if (name == "groups") return groupsMain(args);
  if (name == "uptime") return uptimeMain(args);
  if (name == "mount") return mountMain(args);
  if (name == "true") return 0;
  if (name == "false") return 1;
  if (name == "cat") return catMain(args);
  if (name == "echo") return echoMain(args);
  if (name == "printf") return printfMain(args);
  if (name == "wc") return wcMain(args);
  if (name == "head") return headMain(args);
  if (name == "tail") return tailMain(args);
  if (name == "tee") return teeMain(args);
  if (name == "seq") return seqMain(args);
  if (name == "yes") return yesMain(args);
  if (name == "tr") return trMain(args);
  if (name == "cut") return cutMain(args);
  if (name == "uniq") return uniqMain(args);
  if (name == "sort") return sortMain(args);
  if (name == "stty") return sttyMain(args);
  if (name == "clear") return clearMain(args);
  if (name == "nc") return ncMain(args);
  if (name == "httpd") return httpdMain(args);
  if (name == "wget") return wgetMain(args);
  if (name == "ip") return ipMain(args);
  return -1;
}

function dispatch(): i32 {
  let args = argv();
  let name = args.length > 0 ? basename(args[0]) : "sh";
  if (name == "busybox" || name == "busybox.wasm") {
    if (args.length < 2) { stdout.line("usage: busybox APPLET [ARG]..."); return 1; }
    args = args.slice(1);
    name = basename(args[0]);
  }
  if (name.endsWith(".wasm")) name = name.substring(0, name.length - 5);
  const status = runApplet(name, args.slice(1), args[0]);
  if (status < 0) { warn(name, "applet not found"); return 127; }
  return status;
}

exit(dispatch());
