/* A hand-written fused kernel of MINN's unrolled mechanistic layer, float32.
 *
 * Measured by benchmarks/bench_custom_kernel.py against PyTorch's kernels; not used by the
 * book (it is slower on the machine where it was measured: see the README, "Speed").
 * Column layout: V, diff, Vbar, dbar are (n, cols) row-major; S and S^T are CSR with int32
 * indices; n_in = 0 (the Ishii problem bounds its uptakes through v_in on no column).
 *
 *   forward, per step:  SV = S V;  for each row i of S^T:
 *       diff_i = decay diff_i + a_s (S^T SV)_i + a_n min(V_i, 0);  neg_i = V_i < 0;  V_i += diff_i
 *   backward, per step: SD = S dbar; for each row i of S^T:
 *       Vbar_i += a_s (S^T SD)_i + a_n neg_i dbar_i;  dbar_i = decay dbar_i + Vbar_i
 */
#include <stdint.h>
#include <string.h>

void csr_product(int64_t rows, int64_t cols, const int32_t *ip, const int32_t *ix,
                 const float *val, const float *restrict X, float *restrict out) {
    for (int64_t r = 0; r < rows; r++) {
        float *restrict o = out + r * cols;
        for (int64_t c = 0; c < cols; c++) o[c] = 0.0f;
        for (int32_t p = ip[r]; p < ip[r + 1]; p++) {
            const float *restrict x = X + (int64_t)ix[p] * cols;
            const float w = val[p];
            for (int64_t c = 0; c < cols; c++) o[c] += w * x[c];
        }
    }
}

static void row_product(int64_t i, int64_t cols, const int32_t *ip, const int32_t *ix,
                        const float *val, const float *restrict X, float *restrict acc) {
    for (int64_t c = 0; c < cols; c++) acc[c] = 0.0f;
    for (int32_t p = ip[i]; p < ip[i + 1]; p++) {
        const float *restrict x = X + (int64_t)ix[p] * cols;
        const float w = val[p];
        for (int64_t c = 0; c < cols; c++) acc[c] += w * x[c];
    }
}

void fused_forward(int64_t m, int64_t n, int64_t cols, int64_t steps,
                   const int32_t *s_ip, const int32_t *s_ix, const float *s_val,
                   const int32_t *t_ip, const int32_t *t_ix, const float *t_val,
                   float *restrict V, float *restrict diff, float *restrict SV,
                   float *restrict acc, uint8_t *restrict neg,
                   float a_s, float a_n, float decay) {
    memset(diff, 0, sizeof(float) * n * cols);
    for (int64_t k = 0; k < steps; k++) {
        csr_product(m, cols, s_ip, s_ix, s_val, V, SV);
        uint8_t *restrict nk = neg + k * n * cols;
        for (int64_t i = 0; i < n; i++) {
            row_product(i, cols, t_ip, t_ix, t_val, SV, acc);
            float *restrict v = V + i * cols, *restrict d = diff + i * cols;
            uint8_t *restrict g = nk + i * cols;
            for (int64_t c = 0; c < cols; c++) {
                const float vi = v[c];
                const float lo = vi < 0.0f ? vi : 0.0f;
                const float di = decay * d[c] + a_s * acc[c] + a_n * lo;
                g[c] = vi < 0.0f;
                d[c] = di;
                v[c] = vi + di;
            }
        }
    }
}

void fused_backward(int64_t m, int64_t n, int64_t cols, int64_t steps,
                    const int32_t *s_ip, const int32_t *s_ix, const float *s_val,
                    const int32_t *t_ip, const int32_t *t_ix, const float *t_val,
                    float *restrict Vbar, float *restrict dbar, float *restrict SD,
                    float *restrict acc, const uint8_t *restrict neg,
                    float a_s, float a_n, float decay) {
    memcpy(dbar, Vbar, sizeof(float) * n * cols);
    for (int64_t k = steps - 1; k >= 0; k--) {
        csr_product(m, cols, s_ip, s_ix, s_val, dbar, SD);
        const uint8_t *restrict nk = neg + k * n * cols;
        for (int64_t i = 0; i < n; i++) {
            row_product(i, cols, t_ip, t_ix, t_val, SD, acc);
            float *restrict vb = Vbar + i * cols, *restrict db = dbar + i * cols;
            const uint8_t *restrict g = nk + i * cols;
            for (int64_t c = 0; c < cols; c++) {
                const float d = db[c];
                const float v = vb[c] + a_s * acc[c] + (g[c] ? a_n * d : 0.0f);
                vb[c] = v;
                db[c] = decay * d + v;
            }
        }
    }
}
