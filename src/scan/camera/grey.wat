(module
  (memory (export "memory") 1)
  ;; Grey levels of n RGBA pixels at 0 (n a multiple of 4), written as n bytes from n * 4:
  ;; (306 R + 601 G + 117 B + 512) >> 10, four pixels at a time.
  (func (export "grey") (param $n i32)
    (local $i i32) (local $end i32) (local $o i32) (local $v v128) (local $y v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $o (local.get $end))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $y
          (i32x4.shr_u
            (i32x4.add
              (i32x4.add
                (i32x4.mul (v128.and (local.get $v) (v128.const i32x4 255 255 255 255)) (v128.const i32x4 306 306 306 306))
                (i32x4.mul (v128.and (i32x4.shr_u (local.get $v) (i32.const 8)) (v128.const i32x4 255 255 255 255)) (v128.const i32x4 601 601 601 601)))
              (i32x4.add
                (i32x4.mul (v128.and (i32x4.shr_u (local.get $v) (i32.const 16)) (v128.const i32x4 255 255 255 255)) (v128.const i32x4 117 117 117 117))
                (v128.const i32x4 512 512 512 512)))
            (i32.const 10)))
        (local.set $y (i16x8.narrow_i32x4_u (local.get $y) (local.get $y)))
        (i32.store (local.get $o) (i32x4.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $y) (local.get $y))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $next))))
)
