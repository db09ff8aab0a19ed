/*!
The generator of `net64_avx2.s`, the 64-wire sorting network of the row medians as straight-line
AVX2 code ([`super::median::Network::sort`] runs it where the CPU has AVX2), and of
`med64_avx2.s` and `med64_avx512.s`, the part of it the middle wires need
([`super::median::Network::sort_middle64`]).

The network is Batcher's, with its comparators in another order: a comparator runs once the
earlier comparators on its two wires have run (so every wire sees the same sequence of
comparisons and the result is exactly that of the pairs in order), and among those ready the
generator takes the one with the most wires already in registers. Wires live in the 16 `ymm`
registers, 8 lanes of each (half a [`super::median::Wire`]) at a time, the least recently used
one written back to memory when a register is needed. This keeps about two thirds of the loads
and stores of a comparator-by-comparator loop out, which a compiler does not manage on its own
for a network this size (and an unrolled Rust version took minutes to compile).

With AVX-512 ([`Isa::Avx512`]) a wire is one `zmm` register (all 16 lanes) and there are 32 of
them: one pass instead of two halves, and about half the loads and stores again.

The files are checked in; `DETCAL_REGEN_NETWORK=1 cargo test --features detcal-cli/mpi --lib
generated_` rewrites them, and the same tests fail when they are not what this generator gives.
*/

/// The most registers any [`Isa`] has for wires.
const NREG: usize = 32;

/// The vector registers the generated code uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    /// AVX2: the 16 `ymm` registers, 8 lanes of a wire each, lanes 0-7 first, then 8-15.
    Avx2,
    /// AVX-512: the 32 `zmm` registers, a whole wire each.
    Avx512,
}

impl Isa {
    /// The registers for wires (the assembly block clobbers them all).
    fn registers(self) -> usize {
        match self {
            Isa::Avx2 => 16,
            Isa::Avx512 => 32,
        }
    }

    /// The name of register `r`.
    fn reg(self, r: usize) -> String {
        match self {
            Isa::Avx2 => format!("ymm{r}"),
            Isa::Avx512 => format!("zmm{r}"),
        }
    }

    /// Bytes of a wire per register.
    fn width(self) -> usize {
        match self {
            Isa::Avx2 => 32,
            Isa::Avx512 => 64,
        }
    }

    /// The unaligned move of a register's worth of a wire.
    fn mov(self) -> &'static str {
        match self {
            Isa::Avx2 => "vmovdqu",
            Isa::Avx512 => "vmovdqu32",
        }
    }
}

/// The register state of the generator for one part of the lanes (half of them with AVX2, all
/// with AVX-512).
struct Regs {
    isa: Isa,
    /// The wire in each register, if any.
    wire_in: [Option<usize>; NREG],
    /// Whether each register holds a value not yet written back.
    dirty: [bool; NREG],
    /// When each register was last used (for eviction).
    used: [usize; NREG],
    /// The register of each wire, if it is in one.
    reg_of: Vec<Option<usize>>,
    clock: usize,
}

impl Regs {
    /// A register for a new value: a free one, else the least recently used one not in `keep`
    /// (written back first if dirty).
    fn take(&mut self, keep: &[usize], out: &mut String, addr: &dyn Fn(usize) -> String) -> usize {
        let n = self.isa.registers();
        if let Some(r) = (0..n).find(|&r| self.wire_in[r].is_none()) {
            return r;
        }
        let r = (0..n)
            .filter(|r| !keep.contains(r))
            .min_by_key(|&r| self.used[r])
            .expect("16 registers or more, and at most 3 kept");
        self.release(r, out, addr);
        r
    }

    /// Writes register `r` back if dirty and frees it.
    fn release(&mut self, r: usize, out: &mut String, addr: &dyn Fn(usize) -> String) {
        if let Some(w) = self.wire_in[r] {
            if self.dirty[r] {
                out.push_str(&format!(
                    "{} {}, {}\n",
                    self.isa.mov(),
                    addr(w),
                    self.isa.reg(r)
                ));
            }
            self.reg_of[w] = None;
        }
        self.wire_in[r] = None;
        self.dirty[r] = false;
    }

    fn touch(&mut self, r: usize) {
        self.clock += 1;
        self.used[r] = self.clock;
    }
}

/// AVX2 assembly (Intel syntax) that applies the compare-exchanges `pairs` to `nwires` wires of
/// 16 `i32` lanes (64 bytes each) at the address in `rdi`, lanes 0-7 first, then 8-15.
pub(crate) fn network_asm(pairs: &[(u32, u32)], nwires: usize) -> String {
    let both: Vec<(u32, u32, Keep)> = pairs.iter().map(|&(a, b)| (a, b, Keep::Both)).collect();
    network_asm_kept(&both, nwires, Isa::Avx2)
}

/// Which outputs of a compare-exchange are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Both: the minimum into the first wire, the maximum into the second.
    Both,
    /// Only the minimum (into the first wire; the second keeps its value).
    Min,
    /// Only the maximum (into the second wire; the first keeps its value).
    Max,
}

/// The compare-exchanges of `pairs` that the values of the wires `outputs` depend on, each with
/// the outputs of it that are needed (followed backwards from the end of the network).
pub(crate) fn prune(
    pairs: &[(u32, u32)],
    nwires: usize,
    outputs: &[usize],
) -> Vec<(u32, u32, Keep)> {
    let mut live: Vec<bool> = (0..nwires).map(|w| outputs.contains(&w)).collect();
    let mut kept = Vec::new();
    for &(a, b) in pairs.iter().rev() {
        let (la, lb) = (live[a as usize], live[b as usize]);
        let k = match (la, lb) {
            (false, false) => continue,
            (true, true) => Keep::Both,
            (true, false) => Keep::Min,
            (false, true) => Keep::Max,
        };
        kept.push((a, b, k));
        live[a as usize] = true;
        live[b as usize] = true;
    }
    kept.reverse();
    kept
}

/// [`network_asm`] for compare-exchanges of which only the outputs in [`Keep`] are needed, for
/// the registers of `isa`.
pub(crate) fn network_asm_kept(pairs: &[(u32, u32, Keep)], nwires: usize, isa: Isa) -> String {
    let mut out = String::new();
    // The comparators of each wire, in order, and how many of them have run.
    let mut by_wire: Vec<Vec<usize>> = vec![Vec::new(); nwires];
    for (i, &(a, b, _)) in pairs.iter().enumerate() {
        by_wire[a as usize].push(i);
        by_wire[b as usize].push(i);
    }
    for part in 0..64 / isa.width() {
        let addr = move |w: usize| format!("[rdi + {}]", w * 64 + part * isa.width());
        let mut next = vec![0usize; nwires];
        let mut regs = Regs {
            isa,
            wire_in: [None; NREG],
            dirty: [false; NREG],
            used: [0; NREG],
            reg_of: vec![None; nwires],
            clock: 0,
        };
        for _ in 0..pairs.len() {
            // The ready comparator with the most wires in registers, the earliest on a tie.
            let mut best: Option<(usize, usize)> = None;
            for w in 0..nwires {
                let Some(&i) = by_wire[w].get(next[w]) else {
                    continue;
                };
                let (a, b) = (pairs[i].0 as usize, pairs[i].1 as usize);
                if by_wire[a][next[a]] != i || by_wire[b][next[b]] != i {
                    continue;
                }
                let score = regs.reg_of[a].is_some() as usize + regs.reg_of[b].is_some() as usize;
                if best.is_none_or(|(s, j)| score > s || (score == s && i < j)) {
                    best = Some((score, i));
                }
            }
            let (_, i) = best.expect("a comparator network always has a ready comparator");
            let (a, b, kept) = (pairs[i].0 as usize, pairs[i].1 as usize, pairs[i].2);
            let mut keep = Vec::new();
            for w in [a, b] {
                let r = match regs.reg_of[w] {
                    Some(r) => r,
                    None => {
                        let r = regs.take(&keep, &mut out, &addr);
                        let (mov, reg) = (isa.mov(), isa.reg(r));
                        out.push_str(&format!("{mov} {reg}, {}\n", addr(w)));
                        regs.reg_of[w] = Some(r);
                        regs.wire_in[r] = Some(w);
                        r
                    }
                };
                keep.push(r);
                regs.touch(r);
            }
            let (ra, rb) = (keep[0], keep[1]);
            let (na, nb) = (isa.reg(ra), isa.reg(rb));
            match kept {
                Keep::Min => {
                    out.push_str(&format!("vpminsd {na}, {na}, {nb}\n"));
                    regs.dirty[ra] = true;
                    next[a] += 1;
                    next[b] += 1;
                    continue;
                }
                Keep::Max => {
                    out.push_str(&format!("vpmaxsd {nb}, {na}, {nb}\n"));
                    regs.dirty[rb] = true;
                    next[a] += 1;
                    next[b] += 1;
                    continue;
                }
                Keep::Both => {}
            }
            let t = regs.take(&keep, &mut out, &addr);
            let nt = isa.reg(t);
            out.push_str(&format!(
                "vpminsd {nt}, {na}, {nb}\nvpmaxsd {nb}, {na}, {nb}\n"
            ));
            // Wire a now lives in t; its old register is free.
            regs.wire_in[ra] = None;
            regs.dirty[ra] = false;
            regs.reg_of[a] = Some(t);
            regs.wire_in[t] = Some(a);
            regs.dirty[t] = true;
            regs.dirty[rb] = true;
            regs.touch(t);
            regs.touch(rb);
            next[a] += 1;
            next[b] += 1;
        }
        for r in 0..isa.registers() {
            regs.release(r, &mut out, &addr);
        }
    }
    out.push_str("vzeroupper\n");
    out
}
