// Guest: a bytecode interpreter's dispatch loop (the programs benchmark's compute figure, shaped
// like a scripting language's VM): recursive fib(argv[1]), then a loop of mixed arithmetic over
// argv[2] iterations, both as stack-machine bytecode run by one switch on the opcode.
import { argInt, say } from "./lib";

const HALT = 0, PUSH = 1, ARG = 2, ADD = 3, SUB = 4, LT = 5, JZ = 6, JMP = 7, CALL = 8, RET = 9,
  DUP = 10, MUL = 11, XOR = 12, AND = 13, LOADL = 14, STOREL = 15, SHR = 16;

/** Runs `code` from `entry` on fresh stacks; returns the value on top when HALT is reached. */
function run(code: StaticArray<i32>, entry: i32): i32 {
  const stack = new StaticArray<i32>(4096);
  const frames = new StaticArray<i32>(8192); // pairs: return pc, argument
  const locals = new StaticArray<i32>(16);
  let sp = 0, fp = 0, pc = entry;
  while (true) {
    const op = unchecked(code[pc++]);
    switch (op) {
      case PUSH: unchecked(stack[sp++] = code[pc++]); break;
      case ARG: unchecked(stack[sp++] = frames[fp - 1]); break;
      case ADD: sp--; unchecked(stack[sp - 1] = stack[sp - 1] + stack[sp]); break;
      case SUB: sp--; unchecked(stack[sp - 1] = stack[sp - 1] - stack[sp]); break;
      case MUL: sp--; unchecked(stack[sp - 1] = stack[sp - 1] * stack[sp]); break;
      case XOR: sp--; unchecked(stack[sp - 1] = stack[sp - 1] ^ stack[sp]); break;
      case AND: sp--; unchecked(stack[sp - 1] = stack[sp - 1] & stack[sp]); break;
      case SHR: sp--; unchecked(stack[sp - 1] = stack[sp - 1] >>> stack[sp]); break;
      case LT: sp--; unchecked(stack[sp - 1] = i32(stack[sp - 1] < stack[sp])); break;
      case DUP: unchecked(stack[sp] = stack[sp - 1]); sp++; break;
      case JZ: { const target = unchecked(code[pc++]); if (unchecked(stack[--sp]) == 0) pc = target; break; }
      case JMP: pc = unchecked(code[pc]); break;
      case CALL: {
        const target = unchecked(code[pc++]);
        unchecked(frames[fp++] = pc);
        unchecked(frames[fp++] = stack[--sp]);
        pc = target;
        break;
      }
      case RET: fp -= 2; pc = unchecked(frames[fp]); break;
      case LOADL: unchecked(stack[sp++] = locals[code[pc++]]); break;
      case STOREL: unchecked(locals[code[pc++]] = stack[--sp]); break;
      case HALT: return unchecked(stack[sp - 1]);
      default: unreachable();
    }
  }
}

/** fib(n) the slow way: main at 0, fib at 5. */
function fibProgram(n: i32): StaticArray<i32> {
  return [
    PUSH, n, CALL, 5, HALT,
    /* 5 */ ARG, PUSH, 2, LT, JZ, 13, ARG, RET,
    /* 13 */ ARG, PUSH, 1, SUB, CALL, 5, ARG, PUSH, 2, SUB, CALL, 5, ADD, RET,
  ];
}

/** acc += ((i * i) ^ (i >>> 3)) & 1023 for i below m. */
function loopProgram(m: i32): StaticArray<i32> {
  return [
    PUSH, 0, STOREL, 0, PUSH, 0, STOREL, 1,
    /* 8 */ LOADL, 0, PUSH, m, LT, JZ, 42,
    LOADL, 0, DUP, MUL, LOADL, 0, PUSH, 3, SHR, XOR, PUSH, 1023, AND, LOADL, 1, ADD, STOREL, 1,
    LOADL, 0, PUSH, 1, ADD, STOREL, 0, JMP, 8,
    /* 42 */ LOADL, 1, HALT,
  ];
}

const fib = run(fibProgram(argInt(1, 27)), 0);
const mixed = run(loopProgram(argInt(2, 1000000)), 0);
say("fib " + fib.toString() + " loop " + mixed.toString());
