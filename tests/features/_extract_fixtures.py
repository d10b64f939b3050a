"""Small hand-written statutory extracts for the loader tests (synthetic people only).

``write_extracts(folder)`` writes one valid file of every kind: three young people,
one known to every source through the person index, one known to the school census
only, and one looked-after child missing from the index who links through a UPN.
"""

from __future__ import annotations

from pathlib import Path

UPN1, UPN2 = "A100000000001", "B200000000002"

FILES = {
    "linkage/person_index.csv": f"""PERSON_REF,LA_CHILD_ID,UPN,YJ_ID,NCCIS_ID
P0001,C001,{UPN1},Y001,N001
""",
    "ssda903/2023/header.csv": f"""CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
C001,1,17/05/2008,BCRB,{UPN1},,
C003,2,02/02/2009,WBRI,{UPN2},,
""",
    "ssda903/2023/episodes.csv": """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C001,01/06/2022,S,V2,N4,U4,PR1,,,,NW10 4AB,E1 6AN,SC123456
C003,10/10/2022,S,C2,N1,K2,PR4,20/12/2022,E4A,,SE15 5AA,,
""",
    "ssda903/2023/missing.csv": """CHILD,DOB,MISSING,MIS_START,MIS_END
C001,17/05/2008,M,03/07/2022,04/07/2022
""",
    "ssda903/2023/oc2.csv": """CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED
""",
    "ssda903/2024/header.csv": f"""CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
C001,M,17/05/2008,BCRB,{UPN1},,
""",
    "ssda903/2024/episodes.csv": """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
C001,01/06/2022,S,V2,N4,U4,PR1,15/08/2023,X1,,NW10 4AB,E1 6AN,SC123456
C001,15/08/2023,L,J1,N6,R5,PR3,,,CUSTOD,NW10 4AB,,
""",
    "ssda903/2024/missing.csv": """CHILD,DOB,MISSING,MIS_START,MIS_END
""",
    "ssda903/2024/oc2.csv": """CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED
C001,17/05/2008,21,,1,1,1,1,1,0,0,0
""",
    "cin/2024.xml": f"""<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
  <ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>C001</LAchildID><UPN>{UPN1}</UPN>
        <PersonBirthDate>2008-05-17</PersonBirthDate><GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>BCRB</Ethnicity>
        <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2023-04-20</CINreferralDate><ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N6</PrimaryNeedCode><CINclosureDate>2024-01-10</CINclosureDate>
        <ReasonForClosure>RC8</ReasonForClosure><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2023-04-25</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2023-05-30</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>13A</AssessmentFactors>
          <AssessmentFactors>24A</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47><S47ActualStartDate>2023-05-01</S47ActualStartDate>
          <DateOfInitialCPC>2023-05-15</DateOfInitialCPC></Section47>
        <ChildProtectionPlans><CPPstartDate>2023-05-15</CPPstartDate>
          <CPPendDate>2023-11-15</CPPendDate><InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse><NumberOfPreviousCPP>0</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
""",
    "school_census/pupils.csv": f"""CensusDate,URN,UPN,Surname,Forename,DOB,Sex,Ethnicity,Postcode,NCyearActual,SENprovision,PrimarySENtype,FSMeligible
18/01/2024,100001,{UPN1},Zedfamily,Quentin,17/05/2008,M,BCRB,NW10 4AB,10,K,SEMH,1
18/01/2024,100001,{UPN2},Yardley,Ruth,02/02/2009,F,WBRI,SE15 5AA,10,N,,0
""",
    "school_census/exclusions.csv": f"""UPN,URN,Category,Reason,StartDate,Sessions
{UPN1},100001,FIXD,PP;BW,05/02/2024,6
{UPN1},100001,PERM,OW,01/03/2024,
""",
    "school_census/attendance.csv": f"""UPN,URN,AcademicYear,Term,sess_possible,sess_authorised,sess_unauthorised
{UPN1},100001,2023/24,AUT,150,10,20
{UPN2},100001,2023/24,AUT,150,4,0
""",
    "ap_census/placements.csv": f"""CensusDate,UPN,DOB,URN,SettingType,PrimaryReason,EntryDate,LeavingDate,SessionsPerWeek
16/01/2025,{UPN1},17/05/2008,,OOT,PEX,10/03/2024,,8
""",
    "nccis/activity.csv": f"""NCCIS_ID,UPN,DOB,Month,ActivityCode,ActivityStartDate
N001,{UPN1},17/05/2008,2024-09,619,01/09/2024
""",
    "youth_justice/offences.csv": """YJ_ID,DOB,OffenceID,OffenceDate,RecordedDate,HOClass,HOCode,OffenceDescription,YJBCategory,KnifeFlag,Gravity
Y001,17/05/2008,OFF-1,12/06/2024,20/06/2024,10D,,Possession of a bladed article,WEAP,Y,5
""",
    "youth_justice/outcomes.csv": """YJ_ID,OffenceID,OutcomeDate,OutcomeType,Tier,LengthMonths
Y001,OFF-1,01/09/2024,RO,,9
""",
}


def write_extracts(folder, *, files=None, drop=()):
    """Write the fixture extracts under ``folder``; return it as a Path.

    Parameters
    ----------
    folder : path-like
    files : dict, optional
        Replacement or extra file contents by relative path.
    drop : sequence of str
        Relative paths to leave out.
    """
    folder = Path(folder)
    for relpath, text in {**FILES, **(files or {})}.items():
        if relpath in drop:
            continue
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def write_broken_extracts(folder):
    """The fixture extracts with a bad row in each of two sources (school census and NCCIS)."""
    return write_extracts(folder, files={
        "school_census/pupils.csv": FILES["school_census/pupils.csv"] + "31/02/2024,100001,,A,B,xx,Q,ZZZZ,,99,?,,7\n",
        "nccis/activity.csv": FILES["nccis/activity.csv"] + "N009,,not a date,2024-13,0,\n",
    })


# Two sources that cannot be read at all; ssda903 comes first in reading order.
UNREADABLE = {"nccis/activity.csv": "nothing,useful\n1,2\n", "ssda903/2023/header.csv": "CHILD\nC001\n"}
