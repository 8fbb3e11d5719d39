#ifndef HY_TRY_H
#define HY_TRY_H

/* Returns the error of expr from the enclosing function, if any. */
#define HY_TRY(expr)                                                                          \
    do {                                                                                      \
        hy_err hy_try_err_ = (expr);                                                          \
        if (hy_try_err_)                                                                      \
            return hy_try_err_;                                                               \
    } while (0)

#endif
