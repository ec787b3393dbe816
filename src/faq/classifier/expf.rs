//! glibc's `expf` (2.28 and later, where the CPU has FMA: the algorithm of Arm's
//! optimized-routines, MIT licence): its constants, [`exp`] one value at a time, and the
//! range where that is the library's plain path. Training (`train.rs`, one at a time and
//! eight at a time) and scoring's softmax (`vector.rs`, four at a time) read them here,
//! so that all of them round `e^x` as the library does.

/// 2^(i/32) as bits, less `i << 47`.
pub(super) static EXP_TABLE: [u64; 32] = [
    0x3ff0_0000_0000_0000,
    0x3fef_d9b0_d315_8574,
    0x3fef_b558_6cf9_890f,
    0x3fef_9301_d012_5b51,
    0x3fef_72b8_3c7d_517b,
    0x3fef_5487_3168_b9aa,
    0x3fef_387a_6e75_6238,
    0x3fef_1e9d_f51f_dee1,
    0x3fef_06fe_0a31_b715,
    0x3fee_f1a7_373a_a9cb,
    0x3fee_dea6_4c12_3422,
    0x3fee_ce08_6061_892d,
    0x3fee_bfda_d536_2a27,
    0x3fee_b42b_569d_4f82,
    0x3fee_ab07_dd48_5429,
    0x3fee_a47e_b03a_5585,
    0x3fee_a09e_667f_3bcd,
    0x3fee_9f75_e8ec_5f74,
    0x3fee_a114_73eb_0187,
    0x3fee_a589_994c_ce13,
    0x3fee_ace5_422a_a0db,
    0x3fee_b737_b0cd_c5e5,
    0x3fee_c491_82a3_f090,
    0x3fee_d503_b23e_255d,
    0x3fee_e89f_995a_d3ad,
    0x3fee_ff76_f2fb_5e47,
    0x3fef_199b_dd85_529c,
    0x3fef_3720_dcef_9069,
    0x3fef_5818_dcfb_a487,
    0x3fef_7c97_337b_9b5f,
    0x3fef_a4af_a2a4_90da,
    0x3fef_d076_5b6e_4540,
];
/// 32 / ln 2.
pub(super) const EXP_INV_LN2_N: f64 = f64::from_bits(0x4047_1547_652b_82fe);
/// 1.5 * 2^52: adding it rounds to an integer in the low bits.
pub(super) const EXP_SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);
/// The cubic's coefficients, highest power first (scaled for 32 steps).
pub(super) const EXP_C: [f64; 3] = [
    f64::from_bits(0x3ebc_6af8_4b91_2394),
    f64::from_bits(0x3f2e_bfce_50fa_c4f3),
    f64::from_bits(0x3f96_2e42_ff0c_52d6),
];

/// The largest exponent field (bits 20–30 of an `f32`'s bits, shifted down) on glibc's
/// plain path: `|x|` below 88, neither infinite nor NaN.
pub(super) const PLAIN_TOP: u32 = 0x42a;

/// `e^x` rounded as glibc's `expf` rounds it where the CPU has FMA (glibc 2.28 and
/// later, which takes the algorithm of Arm's optimized-routines, MIT licence): 2^(k/32)
/// from a table times a cubic in the rest, in double precision, with the same fused
/// multiply-adds. Branch-free. Only where [`exp_in_range`].
#[inline(always)]
pub(super) fn exp(x: f32) -> f32 {
    let xd = f64::from(x);
    // x * 32 / ln 2 = k + r, k an integer, |r| <= 1/2.
    let kd = EXP_INV_LN2_N.mul_add(xd, EXP_SHIFT);
    let ki = kd.to_bits();
    let kd = kd - EXP_SHIFT;
    let r = EXP_INV_LN2_N.mul_add(xd, -kd);
    // 2^(k/32): the table's 2^((k mod 32)/32), k / 32 added to its exponent.
    let t = EXP_TABLE[(ki & 31) as usize].wrapping_add(ki << 47);
    let s = f64::from_bits(t);
    let z = EXP_C[0].mul_add(r, EXP_C[1]);
    let r2 = r * r;
    let y = EXP_C[2].mul_add(r, 1.0);
    let y = z.mul_add(r2, y);
    (y * s) as f32
}

/// Whether [`exp`] is `e^x` (glibc's plain path): `|x|` below 88, neither infinite nor
/// NaN.
#[inline(always)]
pub(super) fn exp_in_range(x: f32) -> bool {
    (x.to_bits() >> 20) & 0x7ff <= PLAIN_TOP
}
