"""Reference values from R's mlogit; see make_choice_reference.R (do not edit)."""

# R version 4.2.2 Patched (2022-11-10 r83330); mlogit 1.1.3; car 3.1.1
# mlogit(choice ~ pf + cl + loc + wk + tod + seas | 0, e, tol = 1e-14), Newton-Raphson
TERMS = ['pf', 'cl', 'loc', 'wk', 'tod', 'seas']
ESTIMATE = [-0.62522776525093227, -0.10829909022511178, 1.4422428711272353, 0.99550400432311148, -5.462758654941096, -5.8400308335960798]
SE = [0.023222316357175782, 0.0082442153442169094, 0.050557124539935709, 0.044780076091485842, 0.18371250844913409, 0.18667789658701731]
LOGLIK = -4958.6491193370221
# clustered by customer: solve(-H) %*% crossprod(rowsum(scores, id)) %*% solve(-H) * G / (G - 1),
# with mlogit's Hessian and per-choice-set scores at the estimates
ROBUST_SE = [0.033490058795208603, 0.014016732904676759, 0.078868728055222992, 0.063870693233892203, 0.27815496463897743, 0.27271649704635642]
# willingness to pay -b_k / b_pf with car::deltaMethod on the clustered covariance
WTP_TERMS = ['cl', 'loc', 'wk', 'tod', 'seas']
WTP = [-0.17321542043425797, 2.3067479585593862, 1.5922261608512709, -8.7372297881695058, -9.3406453746535245]
WTP_SE = [0.02363829827345636, 0.18894095632480395, 0.13869921993189943, 0.15126103908629662, 0.15221827130758095]
