(module
  (memory (export "memory") 1)
  ;; Grey levels of $n RGBA pixels at $src ($n a multiple of 4) written as $n bytes at $dst:
  ;; (306 R + 601 G + 117 B + 512) >> 10, four pixels at a time.
  (func (export "grey") (param $src i32) (param $n i32) (param $dst i32)
    (local $end i32) (local $v v128) (local $y v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (v128.load (local.get $src)))
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
        (i32.store (local.get $dst) (i32x4.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $y) (local.get $y))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $next))))
  ;; The 2x2 means ((a + b + c + d + 2) >> 2) of a $w x $h grey image at $src, written as a
  ;; ($w / 2) x ($h / 2) image at $dst (an odd last column or row left out), 16 columns at a time.
  (func (export "half") (param $w i32) (param $h i32) (param $src i32) (param $dst i32)
    (local $hw i32) (local $hh i32) (local $y i32) (local $x i32) (local $a i32) (local $b i32) (local $o i32) (local $s v128)
    (local.set $hw (i32.shr_u (local.get $w) (i32.const 1)))
    (local.set $hh (i32.shr_u (local.get $h) (i32.const 1)))
    (block $rows
      (loop $row
        (br_if $rows (i32.ge_u (local.get $y) (local.get $hh)))
        (local.set $a (i32.add (local.get $src) (i32.mul (i32.shl (local.get $y) (i32.const 1)) (local.get $w))))
        (local.set $b (i32.add (local.get $a) (local.get $w)))
        (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $hw))))
        (local.set $x (i32.const 0))
        (block $wide
          (loop $cols
            (br_if $wide (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (i32.shl (local.get $hw) (i32.const 1))))
            (local.set $s
              (i16x8.shr_u
                (i16x8.add
                  (i16x8.add
                    (i16x8.extadd_pairwise_i8x16_u (v128.load (i32.add (local.get $a) (local.get $x))))
                    (i16x8.extadd_pairwise_i8x16_u (v128.load (i32.add (local.get $b) (local.get $x)))))
                  (v128.const i16x8 2 2 2 2 2 2 2 2))
                (i32.const 2)))
            (i64.store (i32.add (local.get $o) (i32.shr_u (local.get $x) (i32.const 1)))
              (i64x2.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $s) (local.get $s))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $cols)))
        (block $narrow
          (loop $tail
            (br_if $narrow (i32.ge_u (local.get $x) (i32.shl (local.get $hw) (i32.const 1))))
            (i32.store8 (i32.add (local.get $o) (i32.shr_u (local.get $x) (i32.const 1)))
              (i32.shr_u
                (i32.add
                  (i32.add
                    (i32.add (i32.load8_u (i32.add (local.get $a) (local.get $x))) (i32.load8_u (i32.add (local.get $a) (i32.add (local.get $x) (i32.const 1)))))
                    (i32.add (i32.load8_u (i32.add (local.get $b) (local.get $x))) (i32.load8_u (i32.add (local.get $b) (i32.add (local.get $x) (i32.const 1))))))
                  (i32.const 2))
                (i32.const 2)))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (br $tail)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))
)
