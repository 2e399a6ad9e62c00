#!/usr/bin/python3
"""Known register values served by pymodbus (Debian python3-pymodbus), for PymodbusInteropIT.

  pymodbus_server.py tcp PORT       Modbus TCP on 127.0.0.1:PORT (0: a free port the kernel chooses)
  pymodbus_server.py rtu DEVICE     Modbus RTU on a serial device (9600 8N1; pyserial cannot set even parity on a pty), e.g. a socat pty
  pymodbus_server.py rtutcp PORT    RTU frames over TCP on 127.0.0.1:PORT (as a serial server passes them)

Slave 1 looks like an Eastron SDM630 (input registers, float32 high word first), slave 2 like an
ABB B23 (holding registers, integers with a fixed scale). Addresses are 0-based (zero_mode).
"""
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext


def words_f32(value):
    hi, lo = struct.unpack(">HH", struct.pack(">f", value))
    return [hi, lo]


def sdm630():
    ir = [0] * 0x180
    ir[0x0000:0x0002] = words_f32(235.0)    # voltage L1, V
    ir[0x0006:0x0008] = words_f32(4.5)      # current L1, A
    ir[0x0034:0x0036] = words_f32(-1035.5)  # total system power, W (exporting)
    ir[0x0046:0x0048] = words_f32(50.0)     # frequency, Hz
    ir[0x0048:0x004A] = words_f32(1234.5)   # import, kWh
    ir[0x004A:0x004C] = words_f32(17.25)    # export, kWh
    ir[0x0156:0x0158] = words_f32(1251.75)  # total, kWh
    return ModbusSlaveContext(ir=ModbusSequentialDataBlock(0, ir), hr=ModbusSequentialDataBlock(0, [0] * 8),
                              co=ModbusSequentialDataBlock(0, [0] * 8), di=ModbusSequentialDataBlock(0, [0] * 8),
                              zero_mode=True)


def abb_b23():
    base = 0x5000
    hr = [0] * 0xC00
    hr[0x5000 - base:0x5004 - base] = [0x0000, 0x0000, 0x0001, 0xE240]   # import, uint64 123456 / 100 kWh
    hr[0x5004 - base:0x5008 - base] = [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF]   # export: not available
    hr[0x5B00 - base:0x5B02 - base] = [0x0000, 0x092E]                   # voltage L1, uint32 2350 / 10 V
    hr[0x5B14 - base:0x5B16 - base] = [0xFFFF, 0xFF9C]                   # power, int32 -100 / 100 W
    hr[0x5B2C - base] = 4998                                               # frequency, uint16 / 100 Hz
    hr[0x5B3A - base] = 0xFC18                                             # power factor, int16 -1000 / 1000
    return ModbusSlaveContext(hr=ModbusSequentialDataBlock(base, hr), ir=ModbusSequentialDataBlock(0, [0] * 8),
                              co=ModbusSequentialDataBlock(0, [0] * 8), di=ModbusSequentialDataBlock(0, [0] * 8),
                              zero_mode=True)


def main():
    context = ModbusServerContext(slaves={1: sdm630(), 2: abb_b23()}, single=False)
    if sys.argv[1] == "tcp":
        from pymodbus.server import StartTcpServer
        StartTcpServer(context=context, address=("127.0.0.1", int(sys.argv[2])))
    elif sys.argv[1] == "rtutcp":
        from pymodbus.server import StartTcpServer
        from pymodbus.transaction import ModbusRtuFramer
        StartTcpServer(context=context, address=("127.0.0.1", int(sys.argv[2])), framer=ModbusRtuFramer)
    else:
        from pymodbus.server import StartSerialServer
        from pymodbus.transaction import ModbusRtuFramer
        StartSerialServer(context=context, framer=ModbusRtuFramer, port=sys.argv[2], baudrate=9600,
                          parity="N", stopbits=1, bytesize=8, timeout=0.05)


if __name__ == "__main__":
    main()
